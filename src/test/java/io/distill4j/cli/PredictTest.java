package io.distill4j.cli;

import io.distill4j.util.Json;
import io.distill4j.workflows.Prediction;
import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code predict}: masks at the input's own size; every unreadable image reported, the rest predicted. */
class PredictTest {

    /** An untrained 16×16 segmentation model carrying the model-info entry predict reads. */
    static Path segmentationModel(Path dir) throws IOException {
        Path file = dir.resolve("seg.zip");
        Run.ModelInfo info = new Run.ModelInfo(Task.SEGMENTATION.name(), 3, 16, 16,
                List.of("a", "b", "c"), List.of("#FF0000", "#00FF00", "#0000FF"), null);
        ModelFiles.save(UNetFactory.build(UNetSpec.of(List.of(2, 4), Task.SEGMENTATION, 3, 3, 16, 16)), file, null,
                Map.of(Run.ENTRY_MODEL_INFO, Json.MAPPER.writeValueAsString(info)));
        return file;
    }

    private static void image(Path file, int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 7 + y * 13) % 256 << 8 | (x * 3) % 256);
            }
        }
        ImageIO.write(image, format, file.toFile());
    }

    @Test
    void segmentationMasksHaveTheInputsSize(@TempDir Path dir) throws IOException {
        Path model = segmentationModel(dir);
        Path images = Files.createDirectories(dir.resolve("images"));
        image(images.resolve("wide.png"), 45, 21, "png");
        image(images.resolve("small.png"), 10, 12, "png");
        Prediction.Result result = Prediction.run(Prediction.Options.of(model, dir.resolve("masks"),
                List.of(images)));
        assertEquals(2, result.predictions().size());
        BufferedImage small = ImageIO.read(result.predictions().get(0).mask().toFile());
        BufferedImage wide = ImageIO.read(result.predictions().get(1).mask().toFile());
        assertEquals(List.of(10, 12), List.of(small.getWidth(), small.getHeight()), "padded up to a patch, cropped back");
        assertEquals(List.of(45, 21), List.of(wide.getWidth(), wide.getHeight()), "tiled at native scale");
    }

    @Test
    void everyUnreadableImageIsReportedAndTheRestPredicted(@TempDir Path dir) throws IOException {
        Path model = segmentationModel(dir);
        Path images = Files.createDirectories(dir.resolve("images"));
        image(images.resolve("a.png"), 20, 20, "png");
        image(images.resolve("b-truncated.jpg"), 20, 20, "jpg");
        byte[] jpeg = Files.readAllBytes(images.resolve("b-truncated.jpg"));
        Files.write(images.resolve("b-truncated.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length - 40));
        Files.write(images.resolve("c-empty.png"), new byte[0]);
        image(images.resolve("d.png"), 20, 20, "png");

        Prediction.Result result = Prediction.run(Prediction.Options.of(model, dir.resolve("masks"),
                List.of(images)));
        assertEquals(2, result.predictions().size(), "a and d are predicted");
        assertEquals(2, result.failures().size());
        assertTrue(result.failures().get(0).message().contains("b-truncated.jpg")
                && result.failures().get(0).message().contains("truncated"), result.failures().get(0).message());
        assertTrue(result.failures().get(1).message().contains("c-empty.png"), result.failures().get(1).message());

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            code = Distill4j.run("predict", "--model", model.toString(), "--out", dir.resolve("masks2").toString(),
                    images.toString());
        } finally {
            System.setErr(old);
        }
        assertNotEquals(0, code);
        assertTrue(err.toString().contains("b-truncated.jpg") && err.toString().contains("c-empty.png"), err.toString());
        assertTrue(Files.isRegularFile(dir.resolve("masks2/d-mask.png")), "images after a bad one are predicted");
    }
}
