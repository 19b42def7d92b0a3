package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.DatasetSpec;
import io.distill4j.data.Split;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;
import io.distill4j.util.CsvTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Evaluation and prediction through the typed API, on a tiny classifier trained for the purpose. */
class EvaluationAndPredictionTest {

    private static Path trainTinyClassifier(Path dir) {
        RunConfig config = RunConfigs.load(Path.of("configs/landcover-patches.yaml"), List.of());
        var tiles = (DatasetSpec.Generated) config.data;
        tiles.height = 16;
        tiles.width = 16;
        tiles.samples = 24;
        config.student.filters = List.of(2, 4);
        config.training.epochs = 1;
        config.training.batchSize = 4;
        config.training.maxBatches = 2;
        config.training.maxEvalBatches = 1;
        config.output.runsDir = dir.resolve("runs").toString();
        config.output.mosaics = 0;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            return run.trainFromScratch("student", config.student).modelFile();
        }
    }

    @Test
    void evaluateAndPredictASavedModel(@TempDir Path dir) throws Exception {
        Path model = trainTinyClassifier(dir);

        EvaluationResult validation = Evaluation.run(Evaluation.Options.of(model).split(Split.VALIDATION)
                .maxBatches(1).jsonOut(dir.resolve("eval.json"))).metrics();
        assertTrue(validation.accuracy() >= 0 && validation.accuracy() <= 1, validation.toString());
        assertTrue(Files.readString(dir.resolve("eval.json")).contains("accuracy"));
        // another config's data: its batch size and split apply
        RunConfig other = ModelConfigs.stored(model, List.of());
        other.training.batchSize = 2;
        EvaluationResult test = Evaluation.run(Evaluation.Options.of(model).config(other).maxBatches(1)).metrics();
        assertTrue(test.accuracy() >= 0 && test.accuracy() <= 1, test.toString());

        Path images = Files.createDirectories(dir.resolve("images"));
        Path odd = images.resolve("patch,\"1\".png");
        ImageIO.write(new BufferedImage(20, 24, BufferedImage.TYPE_INT_RGB), "png", odd.toFile());
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", images.resolve("b.png").toFile());
        List<Prediction.ImagePrediction> predictions = Prediction.run(Prediction.Options.of(model,
                dir.resolve("out"), List.of(images))).predictions();
        assertEquals(2, predictions.size(), "both images of the folder, in name order");
        for (Prediction.ImagePrediction p : predictions) {
            assertEquals(1.0, Arrays.stream(p.probabilities()).sum(), 1e-4);
            assertNull(p.mask());
        }
        List<List<String>> rows = CsvTables.read(Files.readString(dir.resolve("out/predictions.csv")));
        assertEquals(List.of(images.resolve("b.png").toString(), odd.toString()),
                rows.stream().map(r -> r.get(0)).toList());
        assertEquals(predictions.get(1).predictedClass(), rows.get(1).get(1));

        String message = assertThrows(IllegalArgumentException.class, () -> Prediction.run(Prediction.Options.of(
                model, dir.resolve("out"), List.of(dir.resolve("missing.png"))))).getMessage();
        assertTrue(message.contains("missing.png"), message);
    }
}
