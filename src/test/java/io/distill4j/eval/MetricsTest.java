package io.distill4j.eval;

import io.distill4j.data.Task;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    private static final int IGNORE = 255;
    private static final List<String> LAND = List.of("water", "field", "forest", "road");

    /*
     * One 4x4 image, 4 classes; class 3 ("road") occurs in neither labels nor (non-ignored) predictions, and the
     * bottom-right pixel is ignored although its prediction is class 3.
     *
     *   truth            prediction
     *   0 0 1 1          0 0 1 1
     *   0 0 1 1          0 1 1 1
     *   2 2 1 1          2 2 1 0
     *   2 2 2 255        2 2 2 3
     *
     * 15 scored pixels, 13 correct. Confusion [actual][predicted]: 0->0 3, 0->1 1, 1->1 5, 1->0 1, 2->2 5.
     * IoU: water 3/(3+1+1) = 0.6, field 5/(5+1+1) = 5/7, forest 5/5 = 1, road undefined.
     * mean IoU = (0.6 + 5/7 + 1) / 3.
     */
    static final float[][] TRUTH = {{0, 0, 1, 1}, {0, 0, 1, 1}, {2, 2, 1, 1}, {2, 2, 2, IGNORE}};
    static final float[][] PREDICTED = {{0, 0, 1, 1}, {0, 1, 1, 1}, {2, 2, 1, 0}, {2, 2, 2, 3}};

    static INDArray segmentationLabels(float[][]... images) {
        INDArray labels = Nd4j.create(DataType.FLOAT, images.length, 1, images[0].length, images[0][0].length);
        for (int i = 0; i < images.length; i++) {
            labels.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                    .assign(Nd4j.createFromArray(images[i]));
        }
        return labels;
    }

    /** Probabilities that put 0.7 on the given class and 0.1 on each of the 3 others. */
    static INDArray segmentationProbabilities(int numClasses, float[][]... predicted) {
        int h = predicted[0].length;
        int w = predicted[0][0].length;
        INDArray p = Nd4j.valueArrayOf(new long[]{predicted.length, numClasses, h, w}, 0.3 / (numClasses - 1),
                DataType.FLOAT);
        for (int i = 0; i < predicted.length; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    p.putScalar(new long[]{i, (long) predicted[i][y][x], y, x}, 0.7);
                }
            }
        }
        return p;
    }

    @Test
    void segmentationIouAccuracyAndConfusionMatchTheHandWorkedExample() {
        Metrics metrics = new Metrics(Task.SEGMENTATION, 4, LAND, IGNORE);
        Metrics.Accumulator accumulator = metrics.accumulator();
        accumulator.add(segmentationProbabilities(4, PREDICTED), segmentationLabels(TRUTH));
        EvaluationResult r = accumulator.result();

        assertEquals(15, r.count());
        assertEquals(13.0 / 15, r.accuracy(), 1e-9);
        assertArrayEquals(new long[][]{{3, 1, 0, 0}, {1, 5, 0, 0}, {0, 0, 5, 0}, {0, 0, 0, 0}}, r.confusion());
        assertEquals(0.6, r.iou()[0], 1e-9);
        assertEquals(5.0 / 7, r.iou()[1], 1e-9);
        assertEquals(1.0, r.iou()[2], 1e-9);
        assertTrue(Double.isNaN(r.iou()[3]), "road never occurs: IoU undefined");
        assertEquals((0.6 + 5.0 / 7 + 1) / 3, r.meanIoU(), 1e-9);
        assertEquals(r.meanIoU(), r.mainScore());
        assertArrayEquals(new double[]{0.75, 5.0 / 6, 1.0}, java.util.Arrays.copyOf(r.precision(), 3), 1e-9);
        assertArrayEquals(new double[]{0.75, 5.0 / 6, 1.0}, java.util.Arrays.copyOf(r.recall(), 3), 1e-9);
        assertArrayEquals(new double[]{0.75, 5.0 / 6, 1.0}, java.util.Arrays.copyOf(r.f1(), 3), 1e-9);
        assertTrue(Double.isNaN(r.precision()[3]) && Double.isNaN(r.recall()[3]));
        assertTrue(r.precisionRecall().isEmpty());

        Map<String, Double> summary = r.summary();
        assertEquals(r.meanIoU(), summary.get("mean_iou"));
        assertEquals(0.6, summary.get("iou_water"), 1e-9);
        assertEquals((0.75 + 5.0 / 6 + 1) / 3, summary.get("macro_f1"), 1e-9);
        assertTrue(summary.containsKey("iou_road"));
    }

    @Test
    void segmentationAskedForCurvesGetsThemPerPixelWithEachClassesShare() {
        Metrics.Accumulator accumulator = new Metrics(Task.SEGMENTATION, 4, LAND, IGNORE).withPrecisionRecall()
                .accumulator();
        accumulator.add(segmentationProbabilities(4, PREDICTED), segmentationLabels(TRUTH));
        EvaluationResult r = accumulator.result();
        assertEquals(4, r.precisionRecall().size());
        // 15 scored pixels (the ignored one left out): water 4, field 6, forest 5, road none
        assertArrayEquals(new double[]{4.0 / 15, 6.0 / 15, 5.0 / 15, 0},
                r.precisionRecall().stream().mapToDouble(EvaluationResult.PrecisionRecall::prevalence).toArray(), 1e-9);
        assertEquals(1.0, r.precisionRecall().get(2).auprc(), 1e-6, "forest is predicted exactly");
        assertTrue(r.precisionRecall().get(0).auprc() < 1, "water is not");
        assertTrue(Double.isNaN(r.precisionRecall().get(3).auprc()), "road has no positive pixel");
        Metrics.Accumulator plain = new Metrics(Task.SEGMENTATION, 4, LAND, IGNORE).accumulator();
        plain.add(segmentationProbabilities(4, PREDICTED), segmentationLabels(TRUTH));
        assertEquals(plain.result().summary(), r.summary(), "the same figures, the curves besides");
    }

    @Test
    void segmentationCurvesScoreEveryKthPixelOfLargeImages() {
        // 64x64 = 4096 pixels: every 4th in raster order, i.e. columns 0, 4, 8, ... of every row; class 1 is exactly
        // those columns, so it is a quarter of the pixels but all the curves scored
        float[][] truth = new float[64][64];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                truth[y][x] = x % 4 == 0 ? 1 : 0;
            }
        }
        Metrics.Accumulator accumulator = new Metrics(Task.SEGMENTATION, 2, null, null).withPrecisionRecall()
                .accumulator();
        accumulator.add(segmentationProbabilities(2, truth), segmentationLabels(truth));
        EvaluationResult r = accumulator.result();
        assertEquals(4096, r.count(), "the metrics count every pixel");
        assertEquals(1024, r.confusion()[1][1], "a quarter of them are class 1");
        assertEquals(1.0, r.precisionRecall().get(1).prevalence(), 1e-9, "the curves scored 1 pixel in 4");
        assertEquals(0.0, r.precisionRecall().get(0).prevalence(), 1e-9);
        assertEquals(4096 / Metrics.SEGMENTATION_CURVE_PIXELS_PER_IMAGE, 4);
    }

    @Test
    void teacherLogitChannelsInTheLabelsAreNotRead() {
        Metrics metrics = new Metrics(Task.SEGMENTATION, 4, LAND, IGNORE);
        INDArray ids = segmentationLabels(TRUTH);
        // class ids in channel 0, teacher logits (here: large random values) in channels 1..4
        INDArray withTeacher = Nd4j.concat(1, ids, Nd4j.rand(DataType.FLOAT, 1, 4, 4, 4).muli(50));
        Metrics.Accumulator plain = metrics.accumulator();
        plain.add(segmentationProbabilities(4, PREDICTED), ids);
        Metrics.Accumulator distilled = metrics.accumulator();
        distilled.add(segmentationProbabilities(4, PREDICTED), withTeacher);
        assertArrayEquals(plain.result().confusion(), distilled.result().confusion());
        assertEquals(plain.result().meanIoU(), distilled.result().meanIoU());
        assertArrayEquals(metrics.sampleScores(segmentationProbabilities(4, PREDICTED), ids),
                metrics.sampleScores(segmentationProbabilities(4, PREDICTED), withTeacher));
    }

    @Test
    void ignoreIndexInsideTheClassRangeIsLeftOutOfMeanIou() {
        // class 3 as the ignore index: its labelled pixel is skipped, and predicting it elsewhere costs the true class
        float[][] truth = {{0, 3}, {1, 1}};
        float[][] predicted = {{0, 1}, {1, 3}};
        Metrics metrics = new Metrics(Task.SEGMENTATION, 4, null, 3);
        Metrics.Accumulator accumulator = metrics.accumulator();
        accumulator.add(segmentationProbabilities(4, predicted), segmentationLabels(truth));
        EvaluationResult r = accumulator.result();
        assertEquals(3, r.count());
        assertEquals(2.0 / 3, r.accuracy(), 1e-9);
        // class 0: 1/1; class 1: TP 1, FN 1 (predicted as 3) -> 1/2; class 2 absent; class 3 ignored
        assertEquals(1.0, r.iou()[0], 1e-9);
        assertEquals(0.5, r.iou()[1], 1e-9);
        assertTrue(Double.isNaN(r.iou()[3]));
        assertEquals(0.75, r.meanIoU(), 1e-9);
        assertEquals("class 1", r.classNames().get(1));
    }

    @Test
    void perImageScoresAreMeanIouOfEachImage() {
        float[][] perfect = {{1, 1, 0, 0}, {1, 1, 0, 0}, {2, 2, 2, 2}, {2, 2, 2, 2}};
        Metrics metrics = new Metrics(Task.SEGMENTATION, 4, LAND, IGNORE);
        double[] scores = metrics.sampleScores(segmentationProbabilities(4, PREDICTED, perfect),
                segmentationLabels(TRUTH, perfect));
        assertArrayEquals(new double[]{(0.6 + 5.0 / 7 + 1) / 3, 1.0}, scores, 1e-9);
    }

    /*
     * Six images, 3 classes:   truth      0    0    1    1    2    2
     *                          predicted  0    1    1    1    2    0
     * accuracy 4/6. class 0: TP 1, FP 1, FN 1 -> P 1/2, R 1/2, F1 1/2; class 1: TP 2, FP 1 -> P 2/3, R 1, F1 0.8;
     * class 2: TP 1, FN 1 -> P 1, R 1/2, F1 2/3.
     */
    private static final INDArray CLASS_PROBABILITIES = Nd4j.createFromArray(new float[][]{
            {0.8f, 0.1f, 0.1f}, {0.3f, 0.6f, 0.1f}, {0.2f, 0.7f, 0.1f},
            {0.1f, 0.65f, 0.25f}, {0.1f, 0.2f, 0.7f}, {0.5f, 0.1f, 0.4f}});
    private static final INDArray CLASS_LABELS = Nd4j.createFromArray(new float[][]{{0}, {0}, {1}, {1}, {2}, {2}});
    private static final List<String> GARMENTS = List.of("shirt", "shoe", "bag");

    @Test
    void classificationAccuracyF1AndCurvesMatchTheHandWorkedExample() {
        Metrics metrics = new Metrics(Task.CLASSIFICATION, 3, GARMENTS, null);
        Metrics.Accumulator accumulator = metrics.accumulator();
        // two batches, to check that they accumulate
        accumulator.add(CLASS_PROBABILITIES.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)),
                CLASS_LABELS.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)));
        accumulator.add(CLASS_PROBABILITIES.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 6)),
                CLASS_LABELS.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 6)));
        EvaluationResult r = accumulator.result();

        assertEquals(6, r.count());
        assertEquals(4.0 / 6, r.accuracy(), 1e-9);
        assertEquals(r.accuracy(), r.mainScore());
        assertArrayEquals(new double[]{0.5, 2.0 / 3, 1.0}, r.precision(), 1e-9);
        assertArrayEquals(new double[]{0.5, 1.0, 0.5}, r.recall(), 1e-9);
        assertArrayEquals(new double[]{0.5, 0.8, 2.0 / 3}, r.f1(), 1e-9);
        assertEquals((0.5 + 0.8 + 2.0 / 3) / 3, r.macroF1(), 1e-9);
        assertArrayEquals(new long[][]{{1, 1, 0}, {0, 2, 0}, {1, 0, 1}}, r.confusion());
        assertEquals(0, r.iou().length);
        assertTrue(Double.isNaN(r.meanIoU()));

        assertEquals(3, r.precisionRecall().size());
        for (int c = 0; c < 3; c++) {
            EvaluationResult.PrecisionRecall curve = r.precisionRecall().get(c);
            assertEquals(GARMENTS.get(c), curve.className());
            assertTrue(curve.recall().length >= 2, "points on the curve of " + curve.className());
            assertEquals(curve.recall().length, curve.precision().length);
            assertEquals(curve.recall().length, curve.threshold().length);
            for (int i = 0; i < curve.recall().length; i++) {
                assertTrue(curve.precision()[i] >= 0 && curve.precision()[i] <= 1);
                assertTrue(curve.recall()[i] >= 0 && curve.recall()[i] <= 1);
            }
            assertTrue(curve.auprc() > 0 && curve.auprc() <= 1, "AUPRC " + curve.auprc());
        }
        // classes 1 and 2 are ranked perfectly (their positives have the two highest probabilities of the class)
        assertEquals(1.0, r.precisionRecall().get(1).auprc(), 1e-9);
        assertEquals(1.0, r.precisionRecall().get(2).auprc(), 1e-9);
        assertTrue(r.precisionRecall().get(0).auprc() < 1);
        assertEquals(r.precisionRecall().get(0).auprc(), r.summary().get("auprc_shirt"));

        assertArrayEquals(new double[]{0.8, 0.3, 0.7, 0.65, 0.7, 0.4},
                metrics.sampleScores(CLASS_PROBABILITIES, CLASS_LABELS), 1e-6);
    }

    @Test
    void classificationLabelsWithTeacherLogitsReadOnlyChannelZero() {
        Metrics metrics = new Metrics(Task.CLASSIFICATION, 3, GARMENTS, null);
        INDArray withTeacher = Nd4j.concat(1, CLASS_LABELS, Nd4j.rand(DataType.FLOAT, 6, 3).muli(20));
        Metrics.Accumulator accumulator = metrics.accumulator();
        accumulator.add(CLASS_PROBABILITIES, withTeacher);
        assertEquals(4.0 / 6, accumulator.result().accuracy(), 1e-9);
    }

    @Test
    void badLabelsAreErrorsThatNameTheValue() {
        Metrics metrics = new Metrics(Task.CLASSIFICATION, 3, GARMENTS, null);
        Metrics.Accumulator accumulator = metrics.accumulator();
        INDArray labels = Nd4j.createFromArray(new float[][]{{0}, {0}, {7}, {1}, {2}, {2}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> accumulator.add(CLASS_PROBABILITIES, labels));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> accumulator.add(CLASS_PROBABILITIES, Nd4j.zeros(DataType.FLOAT, 6, 2)));
        assertThrows(IllegalStateException.class, accumulator::result);
        assertThrows(IllegalArgumentException.class, () -> new Metrics(Task.SEGMENTATION, 3, List.of("a"), null));
    }

    @Test
    void evaluatesANetworkOverAnIteratorWithMaxBatches() {
        ComputationGraph student = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 3, 16, 16));
        List<DataSet> batches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            INDArray labels = Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16).muli(3).castTo(DataType.INT)
                    .castTo(DataType.FLOAT);
            batches.add(new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16), labels));
        }
        ListDataSetIterator<DataSet> data = new ListDataSetIterator<>(batches, 1);
        data.next(); // evaluate must reset the iterator first
        Metrics metrics = new Metrics(Task.SEGMENTATION, 3, null, null);
        int[] seen = {0};
        EvaluationResult r = metrics.evaluate(student, data, 2, (batch, probabilities) -> {
            assertArrayEquals(new long[]{2, 3, 16, 16}, probabilities.shape());
            seen[0]++;
        });
        assertEquals(2, seen[0]);
        assertEquals(2 * 2 * 16 * 16, r.count());
        assertTrue(r.accuracy() >= 0 && r.accuracy() <= 1);
        assertTrue(r.meanIoU() >= 0 && r.meanIoU() <= 1);
        assertEquals(3 * 2 * 16 * 16, metrics.evaluate(student, data, 0).count());
    }
}
