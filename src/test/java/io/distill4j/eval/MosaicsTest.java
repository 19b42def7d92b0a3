package io.distill4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.distill4j.eval.Mosaics.LEGEND_WIDTH;
import static io.distill4j.eval.Mosaics.PADDING;
import static io.distill4j.eval.Mosaics.TEXT_HEIGHT;
import static io.distill4j.eval.Mosaics.TEXT_WIDTH;
import static io.distill4j.eval.PlotsTest.readPng;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MosaicsTest {

    private static final int IGNORE = 255;
    private static final List<Color> COLORS = List.of(Color.BLUE, Color.GREEN, Color.RED);

    @TempDir
    Path dir;

    @Test
    void maskPixelsHaveTheirClassColourAndUnknownIdsAreGrey() throws IOException {
        INDArray ids = Nd4j.createFromArray(new float[][]{{0, 1, 2}, {2, 1, IGNORE}});
        Path png = dir.resolve("predictions/mask.png");
        Mosaics.writeMask(png, ids, COLORS);
        BufferedImage mask = readPng(png);
        assertEquals(3, mask.getWidth());
        assertEquals(2, mask.getHeight());
        assertEquals(Color.BLUE.getRGB(), mask.getRGB(0, 0));
        assertEquals(Color.GREEN.getRGB(), mask.getRGB(1, 0));
        assertEquals(Color.RED.getRGB(), mask.getRGB(0, 1));
        assertEquals(ClassPalette.IGNORED.getRGB(), mask.getRGB(2, 1));
    }

    @Test
    void ignoredPixelsAreDrawnApartFromEveryClassOfTheAerialColourMapAndTheDefaultPalettes() {
        List<Color> classes = new java.util.ArrayList<>(io.distill4j.data.ColorMap.palette(11));
        io.distill4j.data.ColorMap.AERIAL.forEach(c -> classes.add(Color.decode(c.color)));
        for (Color c : classes) {
            int distance = Math.abs(c.getRed() - ClassPalette.IGNORED.getRed())
                    + Math.abs(c.getGreen() - ClassPalette.IGNORED.getGreen())
                    + Math.abs(c.getBlue() - ClassPalette.IGNORED.getBlue());
            org.junit.jupiter.api.Assertions.assertTrue(distance > 150, c + " is too close to the ignored colour");
        }
    }

    @Test
    void imagesAreGreyOrRgbAndScaledByNearestNeighbour() {
        INDArray rgb = Nd4j.zeros(DataType.FLOAT, 3, 2, 2);
        rgb.putScalar(0, 0, 0, 1.0);          // red top-left
        rgb.putScalar(2, 1, 1, 2.0);          // blue bottom-right, clamped to 1
        BufferedImage picture = Mosaics.image(rgb, 3);
        assertEquals(6, picture.getWidth());
        assertEquals(new Color(255, 0, 0).getRGB(), picture.getRGB(2, 2));
        assertEquals(new Color(0, 0, 255).getRGB(), picture.getRGB(5, 5));
        BufferedImage grey = Mosaics.image(Nd4j.valueArrayOf(new long[]{1, 1, 2, 2}, 0.5, DataType.FLOAT), 1);
        assertEquals(new Color(128, 128, 128).getRGB(), grey.getRGB(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Mosaics.image(Nd4j.zeros(DataType.FLOAT, 2, 4, 4), 1));
    }

    @Test
    void segmentationMosaicHasImageTruthTeacherStudentColumns() throws IOException {
        int h = 8;
        int w = 12;
        int scale = 2;
        ClassPalette palette = new ClassPalette(List.of("water", "field", "forest"), COLORS, IGNORE);
        INDArray truth = Nd4j.zeros(DataType.FLOAT, h, w);
        truth.putScalar(0, 0, IGNORE);
        List<Mosaics.SegmentationRow> rows = List.of(
                new Mosaics.SegmentationRow("best 1: IoU 0.90", Nd4j.rand(DataType.FLOAT, 3, h, w),
                        List.of(truth, Nd4j.ones(DataType.FLOAT, h, w), Nd4j.zeros(DataType.FLOAT, 1, h, w))),
                new Mosaics.SegmentationRow("worst 1: IoU 0.10", Nd4j.rand(DataType.FLOAT, 1, 3, h, w),
                        List.of(truth, truth, truth)));
        Path png = dir.resolve("mosaic.png");
        Mosaics.writeSegmentation(png, List.of("ground truth", "teacher", "student"), rows, palette, scale);
        BufferedImage mosaic = readPng(png);
        int tileW = w * scale;
        int tileH = h * scale;
        assertEquals(PADDING + 4 * (tileW + PADDING) + LEGEND_WIDTH, mosaic.getWidth());
        assertEquals(Math.max(PADDING + TEXT_HEIGHT + 2 * (TEXT_HEIGHT + tileH + PADDING),
                PADDING + 4 * TEXT_HEIGHT + PADDING), mosaic.getHeight());
        // first row: ground truth tile starts with the ignored (grey) pixel, teacher tile is all "field" green
        int rowTop = PADDING + TEXT_HEIGHT + TEXT_HEIGHT;
        int truthLeft = PADDING + (tileW + PADDING);
        assertEquals(ClassPalette.IGNORED.getRGB(), mosaic.getRGB(truthLeft, rowTop));
        assertEquals(Color.BLUE.getRGB(), mosaic.getRGB(truthLeft + scale, rowTop));
        assertEquals(Color.GREEN.getRGB(), mosaic.getRGB(truthLeft + tileW + PADDING + 1, rowTop + 1));

        assertThrows(IllegalArgumentException.class, () -> Mosaics.segmentation(List.of("ground truth"),
                rows, palette, scale), "each row needs one mask per column");
        assertThrows(IllegalArgumentException.class, () -> Mosaics.segmentation(List.of("ground truth"),
                List.of(new Mosaics.SegmentationRow("wrong size", Nd4j.rand(DataType.FLOAT, 3, h, w),
                        List.of(Nd4j.zeros(DataType.FLOAT, h + 1, w)))), palette, scale));
    }

    @Test
    void classificationMosaicShowsTrueAndPredictedClasses() throws IOException {
        List<String> classes = List.of("shirt", "shoe", "bag");
        List<Mosaics.ClassificationRow> rows = List.of(
                new Mosaics.ClassificationRow("best 1: p 0.97", Nd4j.rand(DataType.FLOAT, 1, 28, 28), 1,
                        List.of(Nd4j.createFromArray(0.01f, 0.97f, 0.02f), Nd4j.createFromArray(0.1f, 0.8f, 0.1f))),
                new Mosaics.ClassificationRow("worst 1: p 0.05", Nd4j.rand(DataType.FLOAT, 1, 28, 28), 2,
                        List.of(Nd4j.createFromArray(0.9f, 0.05f, 0.05f), Nd4j.createFromArray(0.2f, 0.3f, 0.5f))),
                new Mosaics.ClassificationRow("worst 2: p 0.2", Nd4j.rand(DataType.FLOAT, 1, 28, 28), 0,
                        List.of(Nd4j.createFromArray(0.2f, 0.7f, 0.1f), Nd4j.createFromArray(0.2f, 0.7f, 0.1f))));
        int scale = Mosaics.defaultScale(28, 28);
        assertEquals(4, scale);
        Path png = dir.resolve("classification.png");
        Mosaics.writeClassification(png, List.of("teacher", "student"), rows, classes, scale);
        BufferedImage mosaic = readPng(png);
        int rowH = Math.max(28 * scale, 4 * TEXT_HEIGHT);
        assertEquals(PADDING + 28 * scale + PADDING + TEXT_WIDTH + PADDING, mosaic.getWidth());
        assertEquals(PADDING + 3 * (rowH + PADDING), mosaic.getHeight());
        assertEquals(true, PlotsTest.drawn(mosaic));
    }

    @Test
    void bestAndWorstRowsComeFromBatchesWithTheirRankAndScore() throws IOException {
        int h = 4;
        int w = 4;
        Metrics metrics = new Metrics(io.distill4j.data.Task.SEGMENTATION, 3, null, IGNORE);
        ClassPalette palette = new ClassPalette(metrics.classNames(),
                io.distill4j.data.ColorMap.palette(metrics.classNames().size()), IGNORE);
        BestAndWorst<Mosaics.SegmentationRow> picks = new BestAndWorst<>(1);
        for (int b = 0; b < 2; b++) {
            INDArray features = Nd4j.rand(DataType.FLOAT, 2, 3, h, w);
            // labels with teacher logits in channels 1..3; the student is right on sample 0 of batch 1 only
            INDArray ids = Nd4j.zeros(DataType.FLOAT, 2, 1, h, w);
            INDArray labels = Nd4j.concat(1, ids, Nd4j.rand(DataType.FLOAT, 2, 3, h, w));
            INDArray student = Nd4j.zeros(DataType.FLOAT, 2, 3, h, w);
            student.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(
                    b == 1 ? 0 : 1)).assign(1);
            if (b == 1) {
                student.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).assign(0);
                student.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex
                        .point(2)).assign(1);
            }
            INDArray teacher = student.dup();
            double[] scores = metrics.sampleScores(student, labels);
            for (int i = 0; i < 2; i++) {
                int sample = i;
                picks.offer(scores[i], () -> Mosaics.SegmentationRow.fromBatch("", features, labels,
                        List.of(teacher, student), sample));
            }
        }
        List<Mosaics.SegmentationRow> best = Mosaics.captionedSegmentation(picks.best(), "best", "mean IoU");
        List<Mosaics.SegmentationRow> worst = Mosaics.captionedSegmentation(picks.worst(), "worst", "mean IoU");
        assertEquals("best 1 (sample 2): mean IoU 1.000", best.get(0).caption());
        // samples 0, 1 and 3 all score 0; ties rank the earlier sample higher, so the worst is the latest
        assertEquals("worst 1 (sample 3): mean IoU 0.000", worst.get(0).caption());
        assertEquals(3, best.get(0).masks().size());
        assertEquals(List.of(4L, 4L), java.util.Arrays.stream(best.get(0).masks().get(2).shape()).boxed().toList());
        assertEquals(0.0, best.get(0).masks().get(2).sumNumber().doubleValue(), "student predicted class 0");

        List<Mosaics.SegmentationRow> rows = new java.util.ArrayList<>(best);
        rows.addAll(worst);
        Path png = dir.resolve("best-worst.png");
        Mosaics.writeSegmentation(png, List.of("ground truth", "teacher", "student"), rows, palette, 2);
        assertEquals(PADDING + 4 * (2 * w + PADDING) + LEGEND_WIDTH, readPng(png).getWidth());

        INDArray classProbabilities = Nd4j.createFromArray(new float[][]{{0.2f, 0.8f}, {0.6f, 0.4f}});
        Mosaics.ClassificationRow row = Mosaics.ClassificationRow.fromBatch("x", Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8),
                Nd4j.createFromArray(new float[][]{{1, 5, -5}, {0, 5, -5}}), List.of(classProbabilities), 1);
        assertEquals(0, row.trueClass());
        assertEquals(0.6f, row.probabilities().get(0).getFloat(0), 1e-6);
        assertEquals(List.of(1L, 8L, 8L), java.util.Arrays.stream(row.image().shape()).boxed().toList());
    }
}
