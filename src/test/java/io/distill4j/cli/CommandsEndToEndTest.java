package io.distill4j.cli;

import io.distill4j.util.Json;
import io.distill4j.workflows.Training;
import io.distill4j.train.StopSignal;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands as a user runs them, on tiny data with --max-batches: train a teacher, distill a student from the
 * saved teacher, evaluate and predict with the saved models, for both task types.
 */
@Tag("e2e")
class CommandsEndToEndTest {

    private static String[] tiny(Path dir, String config, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--epochs", "2", "--max-batches", "2", "--batch-size", "4",
                "--set", "data.height=16", "--set", "data.width=16", "--set", "data.samples=24",
                "--set", "teacher.filters=[4,8]", "--set", "student.filters=[2,4]", "--set", "output.mosaics=2",
                "--runs-dir", dir.resolve("runs").toString(), "--models-dir", dir.resolve("models").toString()));
        if (config != null) {
            args.addAll(List.of("--config", config));
        }
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    private static void assertMetricsInRange(Map<String, Double> summary) {
        for (Map.Entry<String, Double> e : summary.entrySet()) {
            double v = e.getValue();
            assertTrue(Double.isNaN(v) || (v >= 0 && v <= 1), e.getKey() + " = " + v);
        }
    }

    @Test
    void segmentationTrainDistillEvaluatePredict(@TempDir Path dir) throws IOException {
        Training.Result teacher = Cli.parse(new TrainCommand(), tiny(dir, null, "--name", "seg")).run(new StopSignal());
        Path run = teacher.runDir();
        for (String file : List.of("config.yaml", "provenance.json", "run.log", "teacher.zip", "teacher.metrics.csv",
                "teacher.metrics.json", "teacher.test.json", "plots/teacher-loss.png", "plots/teacher-score.png",
                "plots/teacher-confusion.png", "predictions/teacher-best.png", "predictions/teacher-worst.png",
                "checkpoints/teacher.zip")) {
            assertTrue(Files.isRegularFile(run.resolve(file)), "missing " + file);
        }
        assertEquals(3, Files.readAllLines(run.resolve("teacher.metrics.csv")).size(), "header + 2 epochs");
        assertTrue(Files.readString(run.resolve("run.log")).contains("teacher epoch 2/2"));
        assertTrue(Files.readString(run.resolve("provenance.json")).contains("datasetFingerprint"));
        assertMetricsInRange(teacher.test().summary());
        assertTrue(Double.isFinite(teacher.test().meanIoU()));
        Path teacherModel = dir.resolve("models/seg-teacher.zip");
        assertEquals(teacherModel, teacher.promoted());
        assertTrue(Files.readString(dir.resolve("models/seg-teacher.card.md")).contains("1,"), "card lists parameters");

        ComputationGraph before = ModelFiles.load(teacherModel);
        Training.Result student = Cli.parse(new DistillCommand(), tiny(dir, null, "--name", "seg", "--teacher",
                teacherModel.toString())).run(new StopSignal());
        assertEquals(before.params(), ModelFiles.load(teacherModel).params(), "the saved teacher is unchanged");
        assertTrue(Double.isFinite(student.model().history().get(1).trainSoftLoss()), "distillation term recorded");
        assertMetricsInRange(student.test().summary());

        assertEquals(0, Distill4j.run("evaluate", "--model", dir.resolve("models/seg-student-distilled.zip").toString(),
                "--split", "validation", "--out", dir.resolve("eval.json").toString()));
        var evaluated = io.distill4j.util.Json.MAPPER.readTree(dir.resolve("eval.json").toFile());
        assertTrue(evaluated.has("mean_iou") && Double.isFinite(evaluated.get("mean_iou").asDouble()),
                evaluated.toString());

        Path images = Files.createDirectories(dir.resolve("images"));
        BufferedImage image = new BufferedImage(20, 24, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 3, 0x3366ff);
        ImageIO.write(image, "png", images.resolve("tile.png").toFile());
        assertEquals(0, Distill4j.run("predict", "--model", dir.resolve("models/seg-student-distilled.zip").toString(),
                "--out", dir.resolve("masks").toString(), images.toString()));
        BufferedImage mask = ImageIO.read(dir.resolve("masks/tile-mask.png").toFile());
        assertNotNull(mask);
        assertEquals(20, mask.getWidth(), "masks come at the image's own size");
    }

    @Test
    void classificationTrainDistillPredict(@TempDir Path dir) throws IOException {
        String[] args = tiny(dir, "configs/landcover-patches.yaml", "--name", "cls");
        Training.Result teacher = Cli.parse(new TrainCommand(), args).run(new StopSignal());
        assertMetricsInRange(teacher.test().summary());
        assertTrue(Files.isRegularFile(teacher.runDir().resolve("plots/teacher-precision-recall.png")));
        assertEquals(teacher.test().numClasses(), teacher.test().precisionRecall().size());

        Training.Result student = Cli.parse(new DistillCommand(), tiny(dir, "configs/landcover-patches.yaml", "--name", "cls",
                "--teacher", teacher.promoted().toString())).run(new StopSignal());
        assertTrue(student.model().history().stream().allMatch(r -> Double.isFinite(r.trainLoss())));
        assertMetricsInRange(student.test().summary());

        Path images = Files.createDirectories(dir.resolve("images"));
        // a comma and a quote in the file name must not break predictions.csv
        Path odd = images.resolve("tile,\"7\".jpg");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "jpg", odd.toFile());
        assertEquals(0, Distill4j.run("predict", "--model", student.promoted().toString(),
                "--out", dir.resolve("out").toString(), odd.toString()));
        List<List<String>> rows = io.distill4j.util.CsvTables.read(
                Files.readString(dir.resolve("out/predictions.csv")));
        assertEquals(1, rows.size());
        assertEquals(odd.toString(), rows.get(0).get(0));
        assertEquals(2 + student.test().numClasses(), rows.get(0).size(), "image, class, one probability per class");
        double sum = rows.get(0).subList(2, rows.get(0).size()).stream().mapToDouble(Double::parseDouble).sum();
        assertEquals(1.0, sum, 1e-4);
    }

    @Test
    void badInputGivesAClearErrorAndExitCode(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "training:\n  epoch: 2\n");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int code;
        try {
            code = Distill4j.run("train", "--config", config.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        assertTrue(err.toString().contains("training.epoch"), err.toString());
    }
}
