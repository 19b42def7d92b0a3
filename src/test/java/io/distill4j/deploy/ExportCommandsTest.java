package io.distill4j.deploy;

import io.distill4j.cli.EvaluateCommand;
import io.distill4j.cli.ExportCommand;
import io.distill4j.cli.PredictCommand;
import io.distill4j.cli.PruneCommand;
import io.distill4j.cli.QuantizeCommand;
import io.distill4j.cli.TrainCommand;
import io.distill4j.eval.EvaluationResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** export, then evaluate and predict with the .onnx files and the compact files, as a user runs them. */
@Tag("e2e")
class ExportCommandsTest {

    private static String[] tiny(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("--epochs", "1", "--max-batches", "2", "--batch-size", "4",
                "--set", "data.height=16", "--set", "data.width=16", "--set", "data.samples=24",
                "--set", "student.filters=[4,8]", "--set", "output.mosaics=0",
                "--runs-dir", dir.resolve("runs").toString(), "--models-dir", dir.resolve("models").toString()));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    private static String sha(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static EvaluationResult evaluate(Path model) {
        return EvaluateCommand.run("--model", model.toString(), "--split", "test");
    }

    @Test
    void exportedModelsEvaluateAndPredictLikeTheirSource(@TempDir Path dir) throws Exception {
        Path model = TrainCommand.run(tiny(dir, "--model", "student", "--name", "t")).promoted();
        String before = sha(model);

        OnnxExport.Result onnx = ExportCommand.run("--model", model.toString(), "--format", "onnx");
        assertEquals(model.resolveSibling("t-student-scratch.onnx"), onnx.file());
        OnnxExport.Result int8 = ExportCommand.run("--model", model.toString(), "--int8", "static",
                "--calibration-batches", "2");

        EvaluationResult dl4j = evaluate(model);
        assertEquals(dl4j.summary().get("mean_iou"), evaluate(onnx.file()).summary().get("mean_iou"), 1e-6);
        assertEquals(dl4j.summary().get("accuracy"), evaluate(onnx.file()).summary().get("accuracy"), 1e-6);
        assertTrue(Double.isFinite(evaluate(int8.file()).meanIoU()));

        // the compact files of prune and quantize evaluate and export too
        Path pruned = PruneCommand.run(tiny(dir, "--model", model.toString(), "--method", "filter", "--ratio", "0.5",
                "--finetune-epochs", "0")).output();
        Path quantized = QuantizeCommand.run(tiny(dir, "--model", model.toString(), "--mode", "static")).output();
        for (Path compact : List.of(pruned, quantized)) {
            Path exported = ExportCommand.run("--model", compact.toString(), "--out",
                    dir.resolve(compact.getFileName() + ".onnx").toString()).file();
            assertEquals(evaluate(compact).summary().get("mean_iou"), evaluate(exported).summary().get("mean_iou"), 1e-4,
                    compact.toString());
        }

        // benchmark times every form with the same protocol
        var timed = io.distill4j.cli.BenchmarkCommand.run("--quick", "--model", model.toString(), "--model",
                onnx.file().toString(), "--model", int8.file().toString(), "--model", quantized.toString(),
                "--runs-dir", dir.resolve("runs").toString());
        assertEquals(4, timed.result().measurements().size());
        assertTrue(timed.markdown().contains("| t-student-scratch.onnx | onnxruntime |"), timed.markdown());
        assertTrue(timed.result().measurements().stream().allMatch(m -> m.imagesPerSecond() > 0 && m.size() == 16));

        Path images = Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB), "png", images.resolve("a.png").toFile());
        var predictions = PredictCommand.run("--model", onnx.file().toString(), "--out", dir.resolve("out").toString(),
                images.toString());
        assertTrue(Files.isRegularFile(predictions.predictions().get(0).mask()));
        assertEquals(before, sha(model), "the input model is never modified");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExportCommand.run(
                "--model", model.toString(), "--int8", "static", "--calibration-batches", "0"));
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExportCommand.run("--model", model.toString(), "--int8", "some"));
        assertTrue(e.getMessage().contains("static or dynamic"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExportCommand.run("--model", onnx.file().toString()));
        assertTrue(e.getMessage().contains("already an ONNX model"), e.getMessage());
        Path truncated = Files.write(dir.resolve("cut.onnx"), java.util.Arrays.copyOf(Files.readAllBytes(onnx.file()), 100));
        e = assertThrows(IllegalArgumentException.class, () -> evaluate(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
        assertEquals(before, sha(model));
    }

    @Test
    void classificationExportPredictsTheSameClass(@TempDir Path dir) throws Exception {
        Path model = TrainCommand.run(tiny(dir, "--config", "configs/landcover-patches.yaml", "--model", "student",
                "--name", "c")).promoted();
        Path onnx = ExportCommand.run("--model", model.toString(), "--int8", "dynamic").file();
        Path images = Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB), "jpg", images.resolve("a.jpg").toFile());
        var expected = PredictCommand.run("--model", model.toString(), "--out", dir.resolve("a").toString(), images.toString());
        var actual = PredictCommand.run("--model", onnx.toString(), "--out", dir.resolve("b").toString(), images.toString());
        assertEquals(1.0, java.util.Arrays.stream(actual.predictions().get(0).probabilities()).sum(), 1e-4);
        assertEquals(expected.predictions().get(0).probabilities()[0], actual.predictions().get(0).probabilities()[0], 0.05, "int8 dynamic");
        try (OnnxModel exported = OnnxModel.open(onnx)) {
            String classes = exported.entry(OnnxExport.KEY_CLASSES).orElseThrow();
            assertTrue(classes.contains(expected.predictions().get(0).predictedClass()), classes);
            assertTrue(exported.entry(OnnxExport.KEY_PREPROCESSING).orElseThrow().contains("\"type\":\"scale\""));
        }
    }
}
