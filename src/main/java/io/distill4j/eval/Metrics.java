package io.distill4j.eval;

import io.distill4j.data.Task;
import io.distill4j.util.HeapArrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.adapters.OutputAdapter;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.ROCMultiClass;
import org.nd4j.evaluation.curves.PrecisionRecallCurve;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Scores a model's softmax probabilities against sparse class-id labels, for one task, class list and ignore index,
 * on DL4J's {@link Evaluation} (accuracy, precision, recall, F1, confusion matrix) and, for classification,
 * {@link ROCMultiClass} (precision-recall curves). Segmentation is evaluated per pixel: {@code [N, C, H, W]}
 * probabilities become {@code [N·H·W, C]} rows, and IoU comes from the confusion matrix; its per-class
 * precision-recall curves, per pixel, are computed only when asked ({@link #withPrecisionRecall()}, for a run's test
 * split, not every epoch's validation).
 *
 * <p>Labels hold class ids in channel 0: {@code [N, 1, H, W]} or {@code [N, 1]}; a distillation label array
 * {@code [N, 1 + C, ...]} also carries the teacher's logits in channels 1..C, which evaluation never reads. Rows
 * whose class id is the ignore index are masked out of every figure.
 *
 * <p>{@link #evaluate} runs a network over an iterator; {@link #accumulator()} scores outputs the caller already has.
 */
public final class Metrics {

    private final Task task;
    private final int numClasses;
    private final List<String> classNames;
    private final Integer ignoreIndex;
    /** Whether segmentation results carry per-pixel precision-recall curves (classification always does). */
    private final boolean segmentationCurves;

    /**
     * Thresholds of the per-pixel precision-recall curves of segmentation: DL4J's binned {@link ROCMultiClass} keeps
     * counts per threshold, so memory stays {@code classes × thresholds} however many pixels are scored (exact curves
     * would keep every pixel's probability), and the curves are deterministic.
     */
    public static final int SEGMENTATION_THRESHOLDS = 100;

    /**
     * The segmentation curves score at most about this many pixels per image: every k-th pixel in raster order, k
     * fixed by the image size. Scoring a pixel against every threshold took about 6 µs on one core (2026-12-02, this
     * 2-core machine: 1.31 M pixels in 7.4 s, every 4th of them in 2.7 s), so a large test split would otherwise add
     * minutes; 1,024 pixels per image keep it near 7 ms per image, deterministically.
     */
    public static final int SEGMENTATION_CURVE_PIXELS_PER_IMAGE = 1024;

    /**
     * @param classNames  one name per class, or null/empty for {@code class 0}, {@code class 1}, ...
     * @param ignoreIndex class id excluded from evaluation (inside or outside {@code [0, numClasses)}), or null
     */
    public Metrics(Task task, int numClasses, List<String> classNames, Integer ignoreIndex) {
        if (task == null) {
            throw new IllegalArgumentException("task is required");
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        if (classNames == null || classNames.isEmpty()) {
            classNames = IntStream.range(0, numClasses).mapToObj(c -> "class " + c).toList();
        } else if (classNames.size() != numClasses) {
            throw new IllegalArgumentException("classNames has " + classNames.size() + " names for " + numClasses
                    + " classes: " + classNames);
        }
        if (ignoreIndex != null && ignoreIndex < 0) {
            throw new IllegalArgumentException("ignoreIndex must be >= 0, got " + ignoreIndex);
        }
        this.task = task;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
        this.ignoreIndex = ignoreIndex;
        this.segmentationCurves = false;
    }

    private Metrics(Metrics base, boolean segmentationCurves) {
        this.task = base.task;
        this.numClasses = base.numClasses;
        this.classNames = base.classNames;
        this.ignoreIndex = base.ignoreIndex;
        this.segmentationCurves = segmentationCurves;
    }

    /**
     * These metrics with per-class precision-recall curves for segmentation too: per pixel, over
     * {@link #SEGMENTATION_THRESHOLDS} probability thresholds. Classification has them either way.
     */
    public Metrics withPrecisionRecall() {
        return new Metrics(this, true);
    }

    public Task task() {
        return task;
    }

    public int numClasses() {
        return numClasses;
    }

    public List<String> classNames() {
        return classNames;
    }

    public Integer ignoreIndex() {
        return ignoreIndex;
    }

    /**
     * Called with each evaluated batch and the network's probabilities for it, e.g. to collect mosaic samples. The
     * probabilities live in DL4J's output workspace until the call returns: copy ({@code dup()}) what is kept.
     */
    @FunctionalInterface
    public interface BatchListener {
        void onBatch(DataSet batch, INDArray probabilities);
    }

    /** {@link #evaluate(ComputationGraph, DataSetIterator, int, BatchListener)} without a listener. */
    public EvaluationResult evaluate(ComputationGraph graph, DataSetIterator data, int maxBatches) {
        return evaluate(graph, data, maxBatches, null);
    }

    /**
     * Resets the iterator, runs the graph in inference mode over it and scores its first output.
     *
     * @param maxBatches stop after this many batches; 0 or less evaluates them all
     * @param listener   sees every batch with its probabilities; may be null
     */
    public EvaluationResult evaluate(ComputationGraph graph, DataSetIterator data, int maxBatches,
                                     BatchListener listener) {
        if (data.resetSupported()) {
            data.reset();
        }
        Accumulator accumulator = accumulator();
        int batches = 0;
        while (data.hasNext() && (maxBatches <= 0 || batches < maxBatches)) {
            DataSet batch = data.next();
            // DL4J's OutputAdapter form computes into a workspace reused batch after batch (output(false, x) detaches
            // each batch's probabilities into fresh memory); what reads them allocates outside it
            graph.output(new INDArray[]{batch.getFeatures()}, null, null, (OutputAdapter<Void>) outputs -> {
                try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    // a classifier's few probabilities are copied: exact ROC curves keep what they are given
                    INDArray probabilities = task == Task.CLASSIFICATION ? outputs[0].dup() : outputs[0];
                    accumulator.add(probabilities, batch.getLabels());
                    if (listener != null) {
                        listener.onBatch(batch, probabilities);
                    }
                }
                return null;
            });
            batches++;
        }
        return accumulator.result();
    }

    /** A fresh accumulator for probabilities the caller computed. */
    public Accumulator accumulator() {
        return new Accumulator();
    }

    /** Collects batches of (probabilities, labels) into one {@link EvaluationResult}. */
    public final class Accumulator {

        private final Evaluation evaluation = new Evaluation(classNames);
        // classification: thresholdSteps 0, exact curves (one point per distinct probability), as DL4J recommends for
        // small sets; segmentation scores every pixel, so binned
        private final ROCMultiClass roc = task == Task.CLASSIFICATION ? new ROCMultiClass(0)
                : segmentationCurves ? new ROCMultiClass(SEGMENTATION_THRESHOLDS) : null;

        private Accumulator() {
        }

        /**
         * Adds one batch.
         *
         * @param probabilities {@code [N, C, H, W]} (segmentation) or {@code [N, C]} (classification)
         * @param labels        class ids in channel 0, as described in {@link Metrics}
         */
        public void add(INDArray probabilities, INDArray labels) {
            Rows rows = rows(probabilities, labels);
            evaluation.eval(rows.oneHot, rows.probabilities, rows.mask);
            if (roc != null) {
                if (task == Task.SEGMENTATION) {
                    long pixels = probabilities.size(2) * probabilities.size(3);
                    int stride = (int) Math.max(1, (pixels + SEGMENTATION_CURVE_PIXELS_PER_IMAGE - 1)
                            / SEGMENTATION_CURVE_PIXELS_PER_IMAGE);
                    Rows sampled = rows.everyNth(stride);
                    roc.eval(sampled.oneHot, sampled.probabilities, sampled.mask);
                } else {
                    roc.eval(rows.oneHot, rows.probabilities, rows.mask);
                }
            }
        }

        /** Rows (pixels or images) evaluated so far. */
        public long count() {
            return evaluation.getNumRowCounter();
        }

        /** The metrics of everything added so far. */
        public EvaluationResult result() {
            long count = count();
            if (count == 0) {
                throw new IllegalStateException("nothing to evaluate: no batch was added, or every label was the "
                        + "ignore index " + ignoreIndex);
            }
            double[] precision = new double[numClasses];
            double[] recall = new double[numClasses];
            double[] f1 = new double[numClasses];
            long[][] confusion = new long[numClasses][numClasses];
            for (int c = 0; c < numClasses; c++) {
                precision[c] = evaluation.precision(c, Double.NaN);
                recall[c] = evaluation.recall(c, Double.NaN);
                f1[c] = evaluation.fBeta(1.0, c, Double.NaN);
                for (int p = 0; p < numClasses; p++) {
                    confusion[c][p] = evaluation.getConfusionMatrix().getCount(c, p);
                }
            }
            double[] iou = new double[0];
            double meanIoU = Double.NaN;
            List<EvaluationResult.PrecisionRecall> curves = new ArrayList<>();
            if (task == Task.SEGMENTATION) {
                iou = iou(confusion, ignoreIndex);
                meanIoU = Arrays.stream(iou).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
            }
            if (roc != null) {
                // the rows the curves scored (segmentation samples pixels): each class's share of them
                long scored = 0;
                for (int c = 0; c < numClasses; c++) {
                    scored += roc.getCountActualPositive(c);
                }
                for (int c = 0; c < numClasses; c++) {
                    curves.add(curve(c, scored));
                }
            }
            return new EvaluationResult(task, classNames, ignoreIndex, count, evaluation.accuracy(), precision, recall,
                    f1, confusion, iou, meanIoU, curves);
        }

        private EvaluationResult.PrecisionRecall curve(int c, long count) {
            PrecisionRecallCurve curve = roc.getPrecisionRecallCurve(c);
            int n = curve.numPoints();
            double[] threshold = new double[n];
            double[] precision = new double[n];
            double[] recall = new double[n];
            for (int i = 0; i < n; i++) {
                threshold[i] = curve.getThreshold(i);
                precision[i] = curve.getPrecision(i);
                recall[i] = curve.getRecall(i);
            }
            // a class with no positive example has no recall, so its area is undefined rather than DL4J's number
            long positives = roc.getCountActualPositive(c);
            double auprc = positives == 0 ? Double.NaN : roc.calculateAUCPR(c);
            return new EvaluationResult.PrecisionRecall(classNames.get(c), threshold, precision, recall, auprc,
                    count == 0 ? Double.NaN : (double) positives / count);
        }
    }

    /** Per-class IoU = TP / (TP + FP + FN) from a confusion matrix; NaN for the ignore class and absent classes. */
    static double[] iou(long[][] confusion, Integer ignoreIndex) {
        int n = confusion.length;
        double[] iou = new double[n];
        for (int c = 0; c < n; c++) {
            long tp = confusion[c][c];
            long actual = 0;
            long predicted = 0;
            for (int o = 0; o < n; o++) {
                actual += confusion[c][o];
                predicted += confusion[o][c];
            }
            long union = actual + predicted - tp;
            boolean ignored = ignoreIndex != null && ignoreIndex == c;
            iou[c] = ignored || union == 0 ? Double.NaN : (double) tp / union;
        }
        return iou;
    }

    /**
     * A score per sample for ranking them (higher is better): for segmentation the image's mean IoU over the classes
     * that occur in its labels or prediction (ignore class and ignored pixels excluded), for classification the
     * probability of the true class. NaN for a sample with nothing to score (all pixels ignored).
     */
    public double[] sampleScores(INDArray probabilities, INDArray labels) {
        checkShapes(probabilities, labels);
        int n = (int) probabilities.size(0);
        int[] ids = ints(classIds(labels));
        double[] scores = new double[n];
        if (task == Task.CLASSIFICATION) {
            float[] p = floats(probabilities);
            for (int i = 0; i < n; i++) {
                scores[i] = isIgnored(ids[i]) ? Double.NaN : p[i * numClasses + checkId(ids[i])];
            }
            return scores;
        }
        int[] predicted = ints(predictedClassIds(probabilities));
        int pixels = ids.length / n;
        for (int i = 0; i < n; i++) {
            long[] tp = new long[numClasses];
            long[] actual = new long[numClasses];
            long[] guessed = new long[numClasses];
            for (int j = i * pixels; j < (i + 1) * pixels; j++) {
                if (isIgnored(ids[j])) {
                    continue;
                }
                int a = checkId(ids[j]);
                int g = predicted[j];
                actual[a]++;
                guessed[g]++;
                if (a == g) {
                    tp[a]++;
                }
            }
            double sum = 0;
            int classes = 0;
            for (int c = 0; c < numClasses; c++) {
                long union = actual[c] + guessed[c] - tp[c];
                if (union > 0 && !isIgnored(c)) {
                    sum += (double) tp[c] / union;
                    classes++;
                }
            }
            scores[i] = classes == 0 ? Double.NaN : sum / classes;
        }
        return scores;
    }

    /** A copy of channel 0 of the labels: {@code [N, H, W]} for segmentation, {@code [N]} for classification. */
    public static INDArray classIds(INDArray labels) {
        if (labels.rank() == 1) {
            return labels.dup();
        }
        // a copy, not the view: in M2.1, indexing that view again with point() yields an empty array
        return labels.get(NDArrayIndex.all(), NDArrayIndex.point(0)).dup('c');
    }

    /** Arg-max over the class axis: {@code [N, H, W]} or {@code [N]} class ids (as the probabilities' type). */
    public static INDArray predictedClassIds(INDArray probabilities) {
        return Nd4j.argMax(probabilities, 1).castTo(probabilities.dataType());
    }

    /** Evaluation rows: one-hot labels, probabilities {@code [rows, C]}, and a row mask (null when none ignored). */
    private record Rows(INDArray oneHot, INDArray probabilities, INDArray mask) {

        /** Rows 0, n, 2n, ...: a deterministic subsample (all rows when n is 1). */
        Rows everyNth(int n) {
            if (n <= 1) {
                return this;
            }
            // a strided view, copied once (getRows would copy row by row)
            org.nd4j.linalg.indexing.INDArrayIndex picked = NDArrayIndex.interval(0, n, oneHot.rows());
            return new Rows(oneHot.get(picked, NDArrayIndex.all()).dup(),
                    probabilities.get(picked, NDArrayIndex.all()).dup(),
                    mask == null ? null : mask.get(picked, NDArrayIndex.all()).dup());
        }
    }

    private Rows rows(INDArray probabilities, INDArray labels) {
        checkShapes(probabilities, labels);
        INDArray probabilities2d = probabilities;
        if (task == Task.SEGMENTATION) {
            // [N, C, H, W] -> [N, H, W, C] -> one row per pixel, in the order classIds(labels) flattens to
            probabilities2d = probabilities.permute(0, 2, 3, 1).dup('c')
                    .reshape('c', probabilities.length() / numClasses, numClasses);
        }
        int[] ids = ints(classIds(labels));
        int rows = ids.length;
        float[] oneHot = new float[rows * numClasses];
        float[] mask = new float[rows];
        int ignored = 0;
        for (int r = 0; r < rows; r++) {
            if (isIgnored(ids[r])) {
                ignored++;
                continue;
            }
            oneHot[r * numClasses + checkId(ids[r])] = 1f;
            mask[r] = 1f;
        }
        DataType type = probabilities.dataType();
        INDArray oneHotArray = HeapArrays.floats(oneHot, rows, numClasses).castTo(type);
        INDArray maskArray = ignored == 0 ? null : HeapArrays.floats(mask, rows, 1).castTo(type);
        return new Rows(oneHotArray, probabilities2d, maskArray);
    }

    private void checkShapes(INDArray probabilities, INDArray labels) {
        int rank = task == Task.SEGMENTATION ? 4 : 2;
        if (probabilities.rank() != rank || probabilities.size(1) != numClasses) {
            throw new IllegalArgumentException("expected " + task + " probabilities of shape [N, " + numClasses
                    + (rank == 4 ? ", H, W" : "") + "], got " + Arrays.toString(probabilities.shape()));
        }
        long[] p = probabilities.shape();
        long[] l = labels.shape();
        boolean ok = task == Task.CLASSIFICATION && labels.rank() == 1
                ? l[0] == p[0]
                : labels.rank() == rank && l[0] == p[0] && (l[1] == 1 || l[1] == 1 + numClasses)
                && (rank == 2 || (l[2] == p[2] && l[3] == p[3]));
        if (!ok) {
            throw new IllegalArgumentException("labels of shape " + Arrays.toString(l) + " do not fit probabilities "
                    + Arrays.toString(p) + ": expected class ids in channel 0, [N, 1" + (rank == 4 ? ", H, W]" : "]")
                    + " or [N, 1 + " + numClasses + (rank == 4 ? ", H, W]" : "]") + " with teacher logits");
        }
    }

    private boolean isIgnored(int classId) {
        return ignoreIndex != null && ignoreIndex == classId;
    }

    private int checkId(int classId) {
        if (classId < 0 || classId >= numClasses) {
            throw new IllegalArgumentException("label class id " + classId + " is outside [0, " + numClasses
                    + ") and is not the ignore index " + ignoreIndex);
        }
        return classId;
    }

    /** The values in C order, rounded to ints (class ids are stored as floats). */
    private static int[] ints(INDArray array) {
        float[] values = floats(array);
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = Math.round(values[i]);
        }
        return ints;
    }

    private static float[] floats(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
