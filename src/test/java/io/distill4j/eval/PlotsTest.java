package io.distill4j.eval;

import io.distill4j.data.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotsTest {

    @TempDir
    Path dir;

    static BufferedImage readPng(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + " is not a readable image");
        return image;
    }

    /** Whether the picture has more than one colour, i.e. something was drawn. */
    static boolean drawn(BufferedImage image) {
        int first = image.getRGB(0, 0);
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                if (image.getRGB(x, y) != first) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void lossCurvesArePngsOfTheChartSize() throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("train loss", new double[]{1.2, 0.8, 0.6, 0.5});
        series.put("validation loss", new double[]{1.3, Double.NaN, 0.7, 0.65}); // an epoch without validation
        Path png = dir.resolve("plots/loss.png");
        Plots.lineChart(png, "Loss", "epoch", "loss", series, new double[]{1, 2, 3, 4});
        BufferedImage image = readPng(png);
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(Plots.HEIGHT, image.getHeight());
        assertTrue(drawn(image));

        Path empty = dir.resolve("empty.png");
        Plots.lineChart(empty, "IoU", "epoch", "mean IoU", Map.of("validation", new double[]{Double.NaN}),
                new double[]{1});
        assertEquals(Plots.WIDTH, readPng(empty).getWidth());
        assertThrows(IllegalArgumentException.class, () -> Plots.lineChart(dir.resolve("bad.png"), "t", "x", "y",
                Map.of("short", new double[]{1}), new double[]{1, 2}));
    }

    private static EvaluationResult classification() {
        Metrics metrics = new Metrics(Task.CLASSIFICATION, 3, List.of("shirt", "shoe", "bag"), null);
        Metrics.Accumulator accumulator = metrics.accumulator();
        INDArray probabilities = Nd4j.createFromArray(new float[][]{
                {0.8f, 0.1f, 0.1f}, {0.3f, 0.6f, 0.1f}, {0.2f, 0.7f, 0.1f}, {0.6f, 0.3f, 0.1f}});
        // class 2 ("bag") has no positive example: no curve, named in the title
        accumulator.add(probabilities, Nd4j.createFromArray(new float[][]{{0}, {0}, {1}, {1}}));
        return accumulator.result();
    }

    @Test
    void precisionRecallCurvesAndConfusionMatrixArePngs() throws IOException {
        EvaluationResult result = classification();
        Path pr = dir.resolve("pr.png");
        Plots.precisionRecallCurves(pr, result);
        BufferedImage image = readPng(pr);
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(Plots.HEIGHT, image.getHeight());
        assertTrue(drawn(image));

        Path confusion = dir.resolve("confusion.png");
        Plots.confusionMatrix(confusion, result);
        BufferedImage heatMap = readPng(confusion);
        assertEquals(Plots.WIDTH, heatMap.getWidth());
        assertEquals(Plots.HEIGHT, heatMap.getHeight());
        assertTrue(drawn(heatMap));
    }

    @Test
    void segmentationCurvesPerPixelHaveANoSkillLineAtEachClassesShare() {
        Metrics metrics = new Metrics(Task.SEGMENTATION, 4, List.of("water", "field", "forest", "road"), 255)
                .withPrecisionRecall();
        Metrics.Accumulator accumulator = metrics.accumulator();
        accumulator.add(MetricsTest.segmentationProbabilities(4, MetricsTest.PREDICTED),
                MetricsTest.segmentationLabels(MetricsTest.TRUTH));
        org.knowm.xchart.XYChart chart = Plots.precisionRecallChart(accumulator.result());
        org.knowm.xchart.XYSeries water = chart.getSeriesMap().get("no skill: water");
        assertNotNull(water, chart.getSeriesMap().keySet().toString());
        assertEquals(4.0 / 15, water.getYData()[0], 1e-9, "water is 4 of the 15 scored pixels");
        assertEquals(4.0 / 15, water.getYData()[1], 1e-9, "a horizontal line");
        assertTrue(!water.isShowInLegend());
        String curve = chart.getSeriesMap().keySet().stream().filter(k -> k.startsWith("water (")).findFirst()
                .orElseThrow();
        assertEquals(water.getLineColor(), chart.getSeriesMap().get(curve).getLineColor(), "same colour as its curve");
        assertTrue(chart.getTitle().contains("no positives: road"), chart.getTitle());
    }

    @Test
    void segmentationHasNoPrecisionRecallCurves() {
        Metrics metrics = new Metrics(Task.SEGMENTATION, 2, null, null);
        Metrics.Accumulator accumulator = metrics.accumulator();
        accumulator.add(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 2, 2, 2),
                Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 2, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Plots.precisionRecallCurves(dir.resolve("pr.png"), accumulator.result()));
    }
}
