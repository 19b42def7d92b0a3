package io.distill4j.deploy;

import io.distill4j.cli.Cli;
import io.distill4j.cli.ExportCommand;
import io.distill4j.config.PruneMethod;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import io.distill4j.data.Split;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.train.Run;
import io.distill4j.train.TinyRuns;
import io.distill4j.workflows.CompressOptions;
import io.distill4j.workflows.Evaluation;
import io.distill4j.workflows.ModelConfigs;
import io.distill4j.workflows.Prediction;
import io.distill4j.workflows.Pruning;
import io.distill4j.workflows.Quantization;

import onnx.Onnx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** export, then evaluate and predict with the .onnx files and the compact files, as a user runs them. */
@Tag("e2e")
class ExportCommandsTest {

    private static String sha(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static EvaluationResult evaluate(Path model) {
        return Evaluation.run(Evaluation.Options.of(model)).metrics();
    }

    /** {@code export --model compact --out DIR/<name>.onnx}: a compact file's export, without --int8. */
    private static Path exportFloat(Path compact, Path dir) {
        return Cli.parse(new ExportCommand(), "--model", compact.toString(), "--out",
                dir.resolve(compact.getFileName() + ".onnx").toString()).run().file();
    }

    /** The largest difference of two models' probabilities over the test split of the first one's data. */
    private static double largestProbabilityDifference(Path first, Path second) {
        try (DeployedModel a = DeployedModel.open(first); DeployedModel b = DeployedModel.open(second)) {
            RunConfig config = ModelConfigs.stored(a, List.of());
            var batches = Run.openData(config).iterator(Split.TEST, config.training.batchSize, false);
            double largest = 0;
            while (batches.hasNext()) {
                INDArray features = batches.next().getFeatures();
                largest = Math.max(largest, a.output(features).sub(b.output(features)).amaxNumber().doubleValue());
            }
            return largest;
        }
    }

    @Test
    void exportedModelsEvaluateAndPredictLikeTheirSource(@TempDir Path dir) throws Exception {
        Path model = TinyRuns.promotedStudent(TinyRuns.segmentation(dir), "t");
        String before = sha(model);

        OnnxExport.Result onnx = Cli.parse(new ExportCommand(), "--model", model.toString(), "--format", "onnx").run();
        assertEquals(model.resolveSibling("t-student-scratch.onnx"), onnx.file());
        OnnxExport.Result int8 = Cli.parse(new ExportCommand(), "--model", model.toString(), "--int8", "static",
                "--calibration-batches", "2").run();

        EvaluationResult dl4j = evaluate(model);
        assertEquals(dl4j.summary().get("mean_iou"), evaluate(onnx.file()).summary().get("mean_iou"), 1e-6);
        assertEquals(dl4j.summary().get("accuracy"), evaluate(onnx.file()).summary().get("accuracy"), 1e-6);
        assertTrue(Double.isFinite(evaluate(int8.file()).meanIoU()));

        // the compact files of prune and quantize evaluate and export too
        RunConfig filter = ModelConfigs.stored(model, List.of());
        filter.compress.prune = PruneMethod.FILTER;
        filter.compress.ratio = 0.5;
        filter.compress.epochs = 0;
        Path pruned = Pruning.run(new CompressOptions(model, filter, null)).output();
        RunConfig quantize = ModelConfigs.stored(model, List.of());
        quantize.compress.quantize = QuantizeMode.STATIC;
        Path quantized = Quantization.run(new CompressOptions(model, quantize, null)).output();
        Path prunedExport = exportFloat(pruned, dir);
        assertEquals(evaluate(pruned).summary().get("mean_iou"), evaluate(prunedExport).summary().get("mean_iou"),
                1e-4, pruned.toString());
        // the simulated int8 grid travels as Q/DQ pairs; ONNX Runtime's kernels sum in another order, so a value at a
        // rounding boundary can land one int8 step away (0.007 here): probabilities, not argmax ties
        Path quantizedExport = exportFloat(quantized, dir);
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(quantizedExport));
        long quantizeNodes = proto.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("QuantizeLinear")).count();
        assertTrue(quantizeNodes >= 8, quantizedExport + ": " + quantizeNodes + " QuantizeLinear nodes");
        double difference = largestProbabilityDifference(quantized, quantizedExport);
        assertTrue(difference < 0.03, quantized + " vs " + quantizedExport + ": probabilities differ by " + difference);

        // benchmark times every form with the same protocol
        var timed = Cli.parse(new io.distill4j.cli.BenchmarkCommand(), "--quick", "--model", model.toString(), "--model",
                onnx.file().toString(), "--model", int8.file().toString(), "--model", quantized.toString(),
                "--runs-dir", dir.resolve("runs").toString()).run();
        assertEquals(4, timed.result().measurements().size());
        assertTrue(timed.markdown().contains("| t-student-scratch.onnx | onnxruntime |"), timed.markdown());
        assertTrue(timed.result().measurements().stream().allMatch(m -> m.imagesPerSecond() > 0 && m.size() == 16));

        Path images = Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB), "png", images.resolve("a.png").toFile());
        var predictions = Prediction.run(Prediction.Options.of(onnx.file(), dir.resolve("out"), List.of(images)));
        assertTrue(Files.isRegularFile(predictions.predictions().get(0).mask()));
        assertEquals(before, sha(model), "the input model is never modified");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cli.parse(new ExportCommand(), 
                "--model", model.toString(), "--int8", "static", "--calibration-batches", "0").run());
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cli.parse(new ExportCommand(), "--model", model.toString(), "--int8", "some").run());
        assertTrue(e.getMessage().contains("static or dynamic"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cli.parse(new ExportCommand(), "--model", onnx.file().toString()).run());
        assertTrue(e.getMessage().contains("already an ONNX model"), e.getMessage());
        Path truncated = Files.write(dir.resolve("cut.onnx"), java.util.Arrays.copyOf(Files.readAllBytes(onnx.file()), 100));
        e = assertThrows(IllegalArgumentException.class, () -> evaluate(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
        assertEquals(before, sha(model));
    }

    @Test
    void classificationExportPredictsTheSameClass(@TempDir Path dir) throws Exception {
        Path model = TinyRuns.promotedStudent(TinyRuns.classification(dir), "c");
        Path onnx = Cli.parse(new ExportCommand(), "--model", model.toString(), "--int8", "dynamic").run().file();
        Path images = Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB), "jpg", images.resolve("a.jpg").toFile());
        var expected = Prediction.run(Prediction.Options.of(model, dir.resolve("a"), List.of(images)));
        var actual = Prediction.run(Prediction.Options.of(onnx, dir.resolve("b"), List.of(images)));
        assertEquals(1.0, java.util.Arrays.stream(actual.predictions().get(0).probabilities()).sum(), 1e-4);
        assertEquals(expected.predictions().get(0).probabilities()[0], actual.predictions().get(0).probabilities()[0], 0.05, "int8 dynamic");
        try (OnnxModel exported = OnnxModel.open(onnx)) {
            String classes = exported.entry(OnnxExport.KEY_CLASSES).orElseThrow();
            assertTrue(classes.contains(expected.predictions().get(0).predictedClass()), classes);
            assertTrue(exported.entry(OnnxExport.KEY_PREPROCESSING).orElseThrow().contains("\"type\":\"scale\""));
        }
    }
}
