package io.distill4j.eval;

import io.distill4j.cli.BenchmarkCommand;
import io.distill4j.cli.Cli;
import io.distill4j.train.RunFolder;
import io.distill4j.util.Json;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PyTorch side of {@code benchmark --peer}: its JSON read back, merged into one table, and the "no PyTorch" path. */
class SideBySideTest {

    private static Path storedPeerJson() throws Exception {
        return Path.of(SideBySideTest.class.getResource("pytorch-peer.json").toURI());
    }

    /** A distill4j result of the student at 128 and 256 (train, cached distillation, inference), 1 thread. */
    private static Benchmark.Result dl4jResult() {
        Benchmark.Settings settings = new Benchmark.Settings(List.of("student"), List.of(128, 256), 8, 3, 6, 2, 0, 5, 0,
                true, WorkspaceMode.ENABLED, 0, 0.5, 2.0, 42L, java.util.EnumSet.of(Benchmark.Step.TRAIN,
                Benchmark.Step.DISTILL_CACHED, Benchmark.Step.INFERENCE));
        List<Benchmark.Measurement> measurements = new ArrayList<>();
        measurements.add(measurement(128, Benchmark.Step.TRAIN, 20.0));
        measurements.add(measurement(128, Benchmark.Step.DISTILL_CACHED, 16.0));
        measurements.add(measurement(128, Benchmark.Step.INFERENCE, 100.0));
        measurements.add(measurement(256, Benchmark.Step.TRAIN, 4.0));
        measurements.add(measurement(256, Benchmark.Step.DISTILL_CACHED, 3.5));
        Benchmark.Machine machine = new Benchmark.Machine("AMD EPYC", 1, "avx2 fma avx512f avx512_vnni", "Linux", "17",
                "1.0.0-M2.1", "CPU", "OPENBLAS", "1", "linux-x86_64-onednn", true, true, 1L << 30, "");
        return new Benchmark.Result("2026-12-02T00:00:00Z", machine, settings, Double.NaN, Map.of(), measurements, 1L << 29,
                List.of(new Benchmark.PairedRatio("student", 128, Benchmark.Step.DISTILL_CACHED, Benchmark.Step.TRAIN,
                                new double[]{1.1, 1.0, 1.2, 1.05}, 1.075, 1.0375, 1.125),
                        // 256² training against 128²'s in pairs: time ratios, so images/s 0.25, 0.2, 0.25, 0.5
                        new Benchmark.PairedRatio("student", 256, Benchmark.Step.TRAIN, Benchmark.Step.TRAIN,
                                new double[]{4.0, 5.0, 4.0, 2.0}, 4.0, 2.5, 4.75, 128)));
    }

    private static Benchmark.Measurement measurement(int size, Benchmark.Step step, double imagesPerSecond) {
        double millis = 8 * 1000.0 / imagesPerSecond;
        return new Benchmark.Measurement("student", size, step, 8, 1, new double[] {millis}, millis, millis, millis,
                imagesPerSecond, 0.1, 0.1 * imagesPerSecond, 1L << 29, 1L << 19, new long[] {0}, new long[] {0});
    }

    @Test
    void storedPeerJsonIsReadAndMergedIntoOneTable() throws Exception {
        PyTorchPeer.Result peer = PyTorchPeer.read(storedPeerJson());
        assertEquals(1, peer.threads());
        assertEquals("AVX2", peer.cpuCapability());
        assertEquals(5, peer.rows().size());

        SideBySide table = SideBySide.of(dl4jResult(), peer, null);
        SideBySide.Row train = table.find("student", 128, Benchmark.Step.TRAIN);
        assertEquals(20.0, train.distill4j(), 1e-9);
        assertEquals(40.0, train.pytorch(), 1e-9);
        assertEquals(0.5, train.ratio(), 1e-9);
        // measured on one side only: the other is NaN, and so is the ratio
        SideBySide.Row cached256 = table.find("student", 256, Benchmark.Step.DISTILL_CACHED);
        assertEquals(3.5, cached256.distill4j(), 1e-9);
        assertTrue(Double.isNaN(cached256.pytorch()) && Double.isNaN(cached256.ratio()));
        SideBySide.Row inference256 = table.find("student", 256, Benchmark.Step.INFERENCE);
        assertTrue(Double.isNaN(inference256.distill4j()));
        assertEquals(50.0, inference256.pytorch(), 1e-9);
        assertEquals(6, table.rows().size());

        String md = table.markdown();
        assertTrue(md.contains("| student | 128×128 | train | 20.00 | 40.00 | 0.50× |"), md);
        assertTrue(md.contains("| student | 256×256 | inference | – | 50.00 | – |"), md);
        assertTrue(md.contains("avx512f") && md.contains("distill4j on DL4J, 1 thread ·") && md.contains("PyTorch 1.13.0a0+git6c9b55e, 1 threads, CPU capability AVX2"), md);
        // cached vs plain: 20/16 = 1.25× here, 40/38 = 1.05× for the peer; 256 vs 128 training: 0.20× and 0.25×
        assertTrue(md.contains("costs 1.25× a plain student step in distill4j, 1.05× in PyTorch (medians); in distill4j"
                + " 1.08× in 4 alternating pairs (quartiles 1.04–1.13)."), md);
        // the pairs' images/s ratios: median 0.25, quartiles 0.2125 and 0.4375 (Commons Math's default estimate)
        assertTrue(md.contains("student train: 256×256 runs at 0.20× the images/s of 128×128 in distill4j, 0.25× in PyTorch"
                + " (medians; 0.25× is proportional to the work); in distill4j 0.25× the images/s in 4 alternating pairs"
                + " (quartiles 0.21–0.44)."), md);
        // the scaling pair is not taken for a ratio of two steps at one size, nor the other way round
        assertTrue(md.contains("student distill, cached teacher logits: 256×256 runs at 0.22× the images/s of 128×128 in "
                + "distill4j, – in PyTorch (medians; 0.25× is proportional to the work)."), md);

        // the merged table survives a JSON round trip (what benchmark --peer writes)
        String json = Json.MAPPER.writeValueAsString(table);
        assertTrue(Json.MAPPER.readTree(json).get("rows").size() == 6, json);
    }

    @Test
    void malformedPeerJsonIsAnErrorNamingFileAndField(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("peer.json");
        Files.writeString(json, Files.readString(storedPeerJson()).replace("\"step\": \"inference\"", "\"step\": \"predict\""));
        String message = assertThrows(PyTorchPeer.PeerException.class, () -> PyTorchPeer.read(json)).getMessage();
        assertTrue(message.contains(json.toString()) && message.contains("rows[2].step") && message.contains("predict"), message);

        Files.writeString(json, "{\"schema\": 1, \"rows\": [{\"model\": \"student\", \"size\": 64, \"step\": \"train\"}]}");
        message = assertThrows(PyTorchPeer.PeerException.class, () -> PyTorchPeer.read(json)).getMessage();
        assertTrue(message.contains("rows[0].images_per_second"), message);

        Files.writeString(json, "{\"rows\": []}");
        message = assertThrows(PyTorchPeer.PeerException.class, () -> PyTorchPeer.read(json)).getMessage();
        assertTrue(message.contains("schema"), message);

        Files.writeString(json, "not json");
        message = assertThrows(PyTorchPeer.PeerException.class, () -> PyTorchPeer.read(json)).getMessage();
        assertTrue(message.contains(json.toString()), message);
    }

    @Test
    void withoutPyTorchTheTableHasDistill4jAloneAndSaysWhy(@TempDir Path runs) throws Exception {
        BenchmarkCommand.Outcome outcome = Cli.parse(new BenchmarkCommand(), "--quick", "--peer", "--peer-python",
                "/nonexistent/python3", "--models", "student", "--steps", "inference", "--gemm-size", "0",
                "--runs-dir", runs.toString()).run();
        SideBySide table = outcome.sideBySide();
        assertNotNull(table);
        assertNull(table.peer());
        assertTrue(table.peerNote().contains("/nonexistent/python3"), table.peerNote());
        assertEquals(1, table.rows().size());
        assertTrue(Double.isNaN(table.rows().get(0).pytorch()));
        String md = Files.readString(outcome.folder().resolve("benchmark.md"));
        assertTrue(md.contains("## Side by side with PyTorch") && md.contains("no PyTorch peer: cannot run /nonexistent/python3"), md);
        assertTrue(Files.exists(outcome.folder().resolve(BenchmarkCommand.SIDE_BY_SIDE_JSON)));
    }

    @Test
    void aPythonThatCannotImportTheModuleIsReportedByItsError() {
        PyTorchPeer.Availability availability = new PyTorchPeer("python3", null).availability("no_such_module_d4j");
        Assumptions.assumeFalse(availability.reason().startsWith("cannot run"), "no python3 here: " + availability.reason());
        assertTrue(!availability.available() && availability.reason().contains("cannot import no_such_module_d4j")
                && availability.reason().contains("ModuleNotFoundError"), availability.reason());
    }

    @Test
    void aFailingPeerLeavesDistill4jsTableAndSaysWhy(@TempDir Path runs) throws Exception {
        Assumptions.assumeTrue(PyTorchPeer.DEFAULT_PYTHONS.stream()
                .anyMatch(python -> new PyTorchPeer(python, null).availability().available()), "PyTorch is not installed");
        Path script = runs.resolve("broken_peer.py");
        Files.writeString(script, "import sys\nprint('half a line')\nsys.exit(3)\n");
        BenchmarkCommand.Outcome outcome = Cli.parse(new BenchmarkCommand(), "--quick", "--peer", "--peer-script",
                script.toString(), "--models", "student", "--steps", "inference", "--gemm-size", "0",
                "--runs-dir", runs.toString()).run();
        SideBySide table = outcome.sideBySide();
        assertNull(table.peer());
        assertTrue(table.peerNote().contains("exited with 3") && table.peerNote().contains("half a line"), table.peerNote());
        assertTrue(Files.exists(outcome.folder().resolve("benchmark.json")));
    }

    @Test
    void withPyTorchInstalledThePeerRunsTheSameSteps(@TempDir Path runs) {
        Assumptions.assumeTrue(PyTorchPeer.findScript() != null && PyTorchPeer.DEFAULT_PYTHONS.stream()
                .anyMatch(python -> new PyTorchPeer(python, null).availability().available()), "PyTorch is not installed");
        BenchmarkCommand.Outcome outcome = Cli.parse(new BenchmarkCommand(), "--quick", "--peer", "--models", "student",
                "--steps", "train,inference", "--gemm-size", "0", "--runs-dir", runs.toString()).run();
        SideBySide table = outcome.sideBySide();
        assertNotNull(table.peer(), table.peerNote());
        assertEquals(2, table.rows().size());
        for (SideBySide.Row row : table.rows()) {
            assertTrue(row.pytorch() > 0 && row.distill4j() > 0 && row.ratio() > 0, row.toString());
        }
        assertTrue(Files.exists(outcome.folder().resolve(BenchmarkCommand.PEER_JSON)));
    }
}
