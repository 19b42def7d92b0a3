package io.distill4j.deploy;

import io.distill4j.cli.BenchmarkCommand;
import io.distill4j.eval.Benchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** benchmark --runtime: the same protocol, inference on ONNX Runtime; timings are never asserted. */
class OnnxInferenceTest {

    @Test
    void onnxRuntimesTimeTeacherAndStudentInference(@TempDir Path runs) throws Exception {
        for (String runtime : new String[]{"onnx", "onnx-int8"}) {
            BenchmarkCommand.Outcome outcome = BenchmarkCommand.run("--quick", "--runtime", runtime, "--gemm-size", "0",
                    "--runs-dir", runs.toString());
            Benchmark.Result result = outcome.result();
            assertEquals(Benchmark.Engine.parse(runtime), result.settings().runtime());
            assertEquals(2, result.measurements().size(), "teacher and student inference");
            for (Benchmark.Measurement m : result.measurements()) {
                assertEquals(Benchmark.Step.INFERENCE, m.step());
                assertTrue(m.imagesPerSecond() > 0 && Double.isFinite(m.imagesPerSecond()), m.toString());
            }
            assertTrue(outcome.folder().getFileName().toString().contains("benchmark-quick-" + runtime));
            assertTrue(Files.readString(outcome.folder().resolve("benchmark.md")).contains("ONNX Runtime"));
        }
    }

    @Test
    void onnxRuntimesTimeInferenceOnly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchmarkCommand.run(
                "--quick", "--runtime", "onnx", "--steps", "train"));
        assertTrue(e.getMessage().contains("inference only"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchmarkCommand.run("--quick", "--runtime", "tflite"));
        assertTrue(e.getMessage().contains("dl4j, onnx or onnx-int8"), e.getMessage());
    }
}
