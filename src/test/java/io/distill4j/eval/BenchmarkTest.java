package io.distill4j.eval;

import io.distill4j.cli.Cli;
import io.distill4j.cli.BenchmarkCommand;
import io.distill4j.model.Backends;
import io.distill4j.train.RunFolder;
import io.distill4j.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness runs and records what it measured; timings themselves are never asserted. */
class BenchmarkTest {

    @Test
    void quickRunMeasuresEveryStepAndWritesJsonAndMarkdown(@TempDir Path runs) throws Exception {
        Backends.assumeCpuWithOneDnn(); // it checks the machine facts of the CPU backend
        BenchmarkCommand.Outcome outcome = Cli.parse(new BenchmarkCommand(), "--quick", "--runs-dir", runs.toString()).run();
        Benchmark.Result result = outcome.result();
        assertEquals(6, result.measurements().size(), "teacher: train, inference; student: four steps");
        for (Benchmark.Measurement m : result.measurements()) {
            assertEquals(3, m.repetitionMillis().length);
            assertTrue(m.imagesPerSecond() > 0 && Double.isFinite(m.imagesPerSecond()), m.toString());
            assertTrue(m.minMillis() <= m.medianMillis() && m.medianMillis() <= m.maxMillis());
            assertTrue(m.javaHeapBytesPerIteration() > 0, "a step allocates Java objects: " + m);
            assertEquals(3, m.repetitionGcMillis().length);
            assertEquals(3, m.repetitionJitMillis().length);
            assertTrue(java.util.Arrays.stream(m.repetitionGcMillis()).allMatch(ms -> ms >= 0), m.toString());
            assertTrue(java.util.Arrays.stream(m.repetitionJitMillis()).allMatch(ms -> ms >= 0), m.toString());
        }
        assertNotNull(result.find("student", 32, Benchmark.Step.DISTILL_CACHED));
        assertTrue(result.gemmGflopPerSecond() > 0);
        assertEquals("linux-x86_64-onednn", result.machine().nativeBuild());
        assertTrue(result.machine().oneDnnHelpers());
        assertTrue(result.machine().oneDnnConvolutions());
        var json = Json.MAPPER.readTree(outcome.folder().resolve("benchmark.json").toFile());
        assertEquals(6, json.get("measurements").size());
        String markdown = Files.readString(outcome.folder().resolve("benchmark.md"));
        assertTrue(markdown.contains("| teacher | 32×32 | 0.095 |"), markdown);
        assertTrue(markdown.contains("student inference is"), markdown);
        assertTrue(markdown.contains("32×32: student allocates per batch on the Java heap: train "), markdown);
        Benchmark.PairedRatio paired = result.findPaired("student", 32, Benchmark.Step.DISTILL_CACHED,
                Benchmark.Step.TRAIN);
        assertEquals(6, paired.ratios().length, "twice the repetitions");
        assertTrue(markdown.contains("in 6 alternating pairs (quartiles"), markdown);
        assertEquals(1, json.get("pairedRatios").size());
    }

    /** Pairs alternate which step runs first, run each step its own iteration count, and summarise the ratios. */
    @Test
    void pairedRatiosAlternateTheOrderAndSummariseEveryPair() {
        StringBuilder order = new StringBuilder();
        List<String> progress = new java.util.ArrayList<>();
        Benchmark.PairedRatio paired = Benchmark.paired("student", 64, Benchmark.Step.DISTILL_CACHED, 64,
                Benchmark.Step.TRAIN, 4, 2, () -> order.append('c'), 3, () -> order.append('p'), progress::add);
        assertEquals("ccppp" + "pppcc" + "ccppp" + "pppcc", order.toString());
        assertEquals(4, paired.ratios().length);
        assertTrue(paired.lowerQuartile() <= paired.median() && paired.median() <= paired.upperQuartile());
        assertEquals(List.of("student    64 distill_cached / train: " + paired.describe()), progress);
        assertTrue(paired.describe().matches("\\d+\\.\\d\\d× in 4 alternating pairs \\(quartiles \\d+\\.\\d\\d–\\d+\\.\\d\\d\\)"),
                paired.describe());
    }

    /**
     * With a size and its half, every step measured at both is also paired against itself at the half size: the
     * ratio that says how the step scales, free of the machine's drift between the two medians.
     */
    @Test
    void eachStepIsPairedWithItselfAtHalfTheSize(@TempDir Path runs) throws Exception {
        BenchmarkCommand.Outcome outcome = Cli.parse(new BenchmarkCommand(), "--quick", "--models", "student",
                "--sizes", "16,32", "--steps", "train,inference", "--gemm-size", "0", "--runs-dir", runs.toString()).run();
        Benchmark.Result result = outcome.result();
        assertEquals(4, result.measurements().size());
        for (Benchmark.Step step : List.of(Benchmark.Step.TRAIN, Benchmark.Step.INFERENCE)) {
            Benchmark.PairedRatio scaling = result.findScaling("student", 32, step, 16);
            assertNotNull(scaling, step.toString());
            assertEquals(6, scaling.ratios().length, "twice the repetitions");
            assertTrue(java.util.Arrays.stream(scaling.ratios()).allMatch(r -> r > 0 && Double.isFinite(r)),
                    java.util.Arrays.toString(scaling.ratios()));
            assertNull(result.findScaling("student", 16, step, 8));
        }
        assertNull(result.findPaired("student", 32, Benchmark.Step.TRAIN, Benchmark.Step.TRAIN),
                "a ratio of two sizes is not a ratio of two steps at one size");
        assertEquals(2, result.pairedRatios().size(), "no cached step measured, so no cached/plain pair");
        String markdown = Files.readString(outcome.folder().resolve("benchmark.md"));
        assertTrue(markdown.contains("student train: 32×32 runs at "), markdown);
        assertTrue(markdown.contains("the images/s of 16×16 (medians; 0.25× is proportional to the work), "), markdown);
        assertTrue(markdown.contains("the images/s in 6 alternating pairs (quartiles "), markdown);
        var json = Json.MAPPER.readTree(outcome.folder().resolve("benchmark.json").toFile());
        assertEquals(16, json.get("pairedRatios").get(0).get("baselineSize").asInt());
    }

    /** The images/s form of a pair's ratios is each pair's inverse, summarised afresh. */
    @Test
    void pairedRatiosDescribeImagesPerSecondFromEachPair() {
        Benchmark.PairedRatio paired = new Benchmark.PairedRatio("student", 256, Benchmark.Step.TRAIN,
                Benchmark.Step.TRAIN, new double[]{4.0, 5.0, 4.0, 2.0}, 4.0, 2.5, 4.75, 128);
        assertEquals("0.25× the images/s in 4 alternating pairs (quartiles 0.21–0.44)", paired.describeImagesPerSecond());
        assertEquals(256, new Benchmark.PairedRatio("student", 256, Benchmark.Step.DISTILL_CACHED, Benchmark.Step.TRAIN,
                new double[]{1.1}, 1.1, 1.1, 1.1).baselineSize(), "two steps at one size");
    }

    /**
     * The warm-up runs its minimum, then on while the JIT compiles (two quiet seconds in a row end it), up to five
     * times the minimum; without a minimum it does not wait. A fake clock: every iteration takes 100 ms.
     */
    @Test
    void warmUpWaitsForTheJitToSettleWithinItsLimit() {
        Benchmark.Settings settings = Benchmark.Settings.standard(); // 2 iterations and 3 s at least
        long[] now = {0};
        long[] compiled = {0};
        Runnable[] iteration = new Runnable[1];
        // quiet JIT: the minimum, 30 iterations
        iteration[0] = () -> now[0] += 100_000_000L;
        assertEquals(30, Benchmark.warmUp(settings, iteration[0], () -> now[0], () -> compiled[0]));
        // compiling for 40% of each second up to 4 s, then quiet: the windows ending at 5 and 6 s are quiet
        now[0] = 0;
        iteration[0] = () -> {
            now[0] += 100_000_000L;
            if (now[0] <= 4_000_000_000L) {
                compiled[0] += 40;
            }
        };
        assertEquals(60, Benchmark.warmUp(settings, iteration[0], () -> now[0], () -> compiled[0]));
        // one quiet second between bursts is not settled
        now[0] = 0;
        compiled[0] = 0;
        iteration[0] = () -> {
            now[0] += 100_000_000L;
            long second = (now[0] - 1) / 1_000_000_000L;
            if (second != 3 && second < 6) {
                compiled[0] += 40;
            }
        };
        assertEquals(80, Benchmark.warmUp(settings, iteration[0], () -> now[0], () -> compiled[0]));
        // never settles: stops at 5 × 3 s
        now[0] = 0;
        iteration[0] = () -> {
            now[0] += 100_000_000L;
            compiled[0] += 40;
        };
        assertEquals(150, Benchmark.warmUp(settings, iteration[0], () -> now[0], () -> compiled[0]));
        // no minimum (--quick): the iterations only, whatever the JIT does
        assertEquals(1, Benchmark.warmUp(Benchmark.Settings.quick(), iteration[0], () -> now[0], () -> compiled[0]));
        // no JIT counter: the minimum only
        now[0] = 0;
        assertEquals(30, Benchmark.warmUp(settings, iteration[0], () -> now[0], () -> -1));
    }

    @Test
    void stepsAndModelsCanBeChosen(@TempDir Path runs) {
        Benchmark.Result result = Cli.parse(new BenchmarkCommand(), "--quick", "--models", "student", "--steps", "inference",
                "--gemm-size", "0", "--runs-dir", runs.toString()).run().result();
        assertEquals(1, result.measurements().size());
        assertEquals(Benchmark.Step.INFERENCE, result.measurements().get(0).step());
    }

    @Test
    void badSettingsAreClearErrors() {
        String message = assertThrows(IllegalArgumentException.class, () -> new Benchmark.Settings(List.of("teacher"),
                List.of(40), 8, 3, 6, 1, 0, 5, 0, true, org.deeplearning4j.nn.conf.WorkspaceMode.ENABLED, 0, 0.5, 2, 1,
                null)).getMessage();
        assertTrue(message.contains("40"), message);
        message = assertThrows(IllegalArgumentException.class, () -> new Benchmark.Settings(List.of("pupil"),
                List.of(32), 8, 3, 6, 1, 0, 5, 0, true, org.deeplearning4j.nn.conf.WorkspaceMode.ENABLED, 0, 0.5, 2, 1,
                null)).getMessage();
        assertTrue(message.contains("pupil"), message);
    }
}
