package io.distill4j.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The distillation loss on rows of logits, independent of any layer:
 * <pre>
 *   loss = alpha * CE(y, softmax(z_s)) + (1 - alpha) * T^2 * KL(softmax(z_t / T) || softmax(z_s / T))
 * </pre>
 * Each row is one example (classification) or one pixel (segmentation). Labels are {@code [M, 1]} class ids
 * (hard labels only: plain cross-entropy) or {@code [M, 1 + C]}: class ids in column 0 and the teacher's logits
 * in columns 1..C. Rows whose class id equals the ignore index count in neither term; rows whose class id is
 * {@link DistillationLabels#UNLABELLED} (transfer-set examples without a label) count in the teacher term only.
 *
 * <p>The gradient with respect to the student logits is
 * {@code alpha * (softmax(z_s) - onehot(y)) + (1 - alpha) * T * (softmax(z_s / T) - softmax(z_t / T))}.
 */
public final class DistillationLoss {

    /**
     * Per-row losses and their gradient; rows that are ignored have zero loss and zero gradient. Also the sums of the
     * two terms before weighting (cross-entropy, and T^2 * KL when a teacher is present) and the count of rows whose
     * arg-max is the label, for monitoring. The sums are kept in double: a float16 array cannot even hold the
     * sum of a 256×256 batch's losses.
     */
    public record Result(INDArray rowLoss, INDArray gradient, INDArray validRows, long validCount, double lossSum,
                         double hardLossSum, double softLossSum, long correct, long labelledCount) {
        /** Mean loss over the rows that count (0 when none do). */
        public double meanLoss() {
            return validCount == 0 ? 0.0 : lossSum / validCount;
        }

        /** Batch statistics for monitoring. */
        public BatchStats stats() {
            return new BatchStats(meanLoss(), labelledCount == 0 ? Double.NaN : hardLossSum / labelledCount,
                    validCount == 0 ? Double.NaN : softLossSum / validCount, correct, labelledCount);
        }
    }

    /**
     * What one batch contributed: the mean total loss, the mean hard-label cross-entropy over labelled rows, the mean
     * of the teacher terms (unweighted T²·KL here), and the rows whose arg-max is the label out of the labelled rows.
     */
    public record BatchStats(double meanLoss, double meanHardLoss, double meanTeacherLoss, long correct, long labelled) {
    }

    private final double alpha;
    private final double temperature;
    private final Integer ignoreIndex;

    public DistillationLoss(double alpha, double temperature, Integer ignoreIndex) {
        checkAlpha(alpha);
        checkTemperature(temperature);
        this.alpha = alpha;
        this.temperature = temperature;
        this.ignoreIndex = ignoreIndex;
    }

    static void checkAlpha(double alpha) {
        if (!(alpha >= 0.0 && alpha <= 1.0)) {
            throw new IllegalArgumentException("distillation alpha must be in [0, 1], got " + alpha);
        }
    }

    static void checkTemperature(double temperature) {
        if (!(temperature > 0.0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("distillation temperature must be > 0 and finite, got " + temperature);
        }
    }

    /**
     * @param studentLogits {@code [M, C]} rows of student logits, or {@code [N, C, H, W]} (NCHW), one row per pixel
     * @param labels        {@code [M, 1]} class ids or {@code [M, 1 + C]} class ids + teacher logits; for NCHW logits
     *                      {@code [N, 1 (+ C), H, W]}
     * @return per-row losses and validity in row order (example, then pixel in row-major order), and the gradient
     *         in the layout of {@code studentLogits}
     */
    public Result compute(INDArray studentLogits, INDArray labels) {
        Rows rows = rows(studentLogits, labels);
        DataType dtype = studentLogits.dataType();
        RowSums sums = rows.sums();
        return new Result(Nd4j.createFromArray(rows.rowLoss()).castTo(dtype),
                rows.gradient().toArray(studentLogits.shape(), dtype),
                Nd4j.createFromArray(rows.valid()).castTo(dtype), sums.validCount, sums.lossSum, sums.hardLossSum,
                sums.softLossSum, sums.correct, sums.labelledCount);
    }

    /**
     * {@link #compute}'s figures on the heap, before they become ND4J arrays: {@link LogitObjective} scales the
     * gradient and averages the rows per example here, which saved four copies of the logits' size per step.
     */
    record Rows(double[] rowLoss, double[] valid, Values gradient, RowSums sums) {
        double meanLoss() {
            return sums.validCount == 0 ? 0.0 : sums.lossSum / sums.validCount;
        }

        BatchStats stats() {
            return new BatchStats(meanLoss(), sums.labelledCount == 0 ? Double.NaN : sums.hardLossSum / sums.labelledCount,
                    sums.validCount == 0 ? Double.NaN : sums.softLossSum / sums.validCount, sums.correct,
                    sums.labelledCount);
        }
    }

    Rows rows(INDArray studentLogits, INDArray labels) {
        int rank = studentLogits.rank();
        if ((rank != 2 && rank != 4) || labels.rank() != rank) {
            throw new IllegalArgumentException("expected logits and labels of rank 2 or 4, got shapes "
                    + Arrays.toString(studentLogits.shape()) + " and " + Arrays.toString(labels.shape()));
        }
        int examples = (int) studentLogits.size(0);
        int classes = (int) studentLogits.size(1);
        int pixels = rank == 4 ? (int) (studentLogits.size(2) * studentLogits.size(3)) : 1;
        int labelColumns = (int) labels.size(1);
        boolean hasTeacher = labelColumns == 1 + classes;
        if (labelColumns != 1 && !hasTeacher) {
            throw new IllegalArgumentException("distillation labels have " + labelColumns + " channels; expected 1 (class ids)"
                    + " or 1 + " + classes + " (class ids + teacher logits for the student's " + classes + " classes):"
                    + " the teacher gives " + (labelColumns - 1) + " classes, the student " + classes);
        }
        // One pass over plain arrays in the arrays' own layout: the same formula as a chain of ND4J row operations,
        // without the NCHW→rows copy and the ~20 passes over memory that chain made (at 256×256 it cost a third of
        // a student training step). Computed in double whatever the network's type, so half-precision networks
        // count pixels and sum losses exactly.
        Values z = Values.of(studentLogits);
        Values y = Values.of(labels);
        int rows = examples * pixels;
        double[] rowLoss = new double[rows];
        double[] valid = new double[rows];
        Values gradient = z.zerosLike();
        boolean soft = hasTeacher && alpha < 1.0;
        int chunk = Math.max(1024, (rows + 15) / 16);
        RowSums sums = IntStream.range(0, (rows + chunk - 1) / chunk).parallel()
                .mapToObj(part -> lossOverRows(z, y, rowLoss, valid, gradient, part * chunk,
                        Math.min(rows, (part + 1) * chunk), classes, pixels, labelColumns, soft))
                .reduce(new RowSums(), RowSums::plus);
        if (sums.invalidClassId != null) {
            throw new IllegalArgumentException("class id " + sums.invalidClassId + " is out of range: expected an"
                    + " integer in [0, " + (classes - 1) + "]" + (ignoreIndex == null ? "" : " or the ignore index " + ignoreIndex));
        }
        return new Rows(rowLoss, valid, gradient, sums);
    }

    /** Partial sums over a range of rows, and the first invalid class id met there, if any. */
    static final class RowSums {
        long validCount;
        long labelledCount;
        long correct;
        double lossSum;
        double hardLossSum;
        double softLossSum;
        Double invalidClassId;

        RowSums plus(RowSums other) {
            RowSums sum = new RowSums();
            sum.validCount = validCount + other.validCount;
            sum.labelledCount = labelledCount + other.labelledCount;
            sum.correct = correct + other.correct;
            sum.lossSum = lossSum + other.lossSum;
            sum.hardLossSum = hardLossSum + other.hardLossSum;
            sum.softLossSum = softLossSum + other.softLossSum;
            sum.invalidClassId = invalidClassId != null ? invalidClassId : other.invalidClassId;
            return sum;
        }
    }

    /** Pixels per block: a block's dozen class-by-pixel arrays of doubles stay within the core's L2 cache. */
    private static final int BLOCK = 128;

    /**
     * Rows {@code [from, to)}: row r is example {@code r / pixels}, pixel {@code r % pixels}; class c of it sits at
     * {@code example * classes * pixels + c * pixels + pixel} (NCHW; rows of [M, C] are the case pixels = 1). Taken
     * in blocks of up to {@link #BLOCK} consecutive pixels of one example, each class's values of a block one array
     * run, so every step is a loop over consecutive pixels that the JIT compiles to vector instructions (all but the
     * exp and log calls): per row, with the classes innermost, the loop ran at a third of the speed.
     */
    private RowSums lossOverRows(Values z, Values y, double[] rowLoss, double[] valid, Values gradient,
                                 int from, int to, int classes, int pixels, int labelColumns, boolean soft) {
        RowSums sums = new RowSums();
        Block block = new Block(classes, Math.min(BLOCK, to - from));
        for (int r = from; r < to; ) {
            int example = r / pixels;
            int pixel = r % pixels;
            int n = Math.min(Math.min(block.capacity, to - r), pixels - pixel);
            lossOverBlock(block, z, y, rowLoss, valid, gradient, r, example, pixel, n, classes, pixels, labelColumns,
                    soft, sums);
            r += n;
        }
        return sums;
    }

    /** Working arrays of one block: {@code [class * capacity + i]} for the i-th pixel of the block. */
    private static final class Block {
        final int capacity;
        final double[] z;
        final double[] teacher;
        final double[] logP;
        final double[] p;
        final double[] logS;
        final double[] s;
        final double[] logQ;
        final double[] q;
        final double[] grad;
        final double[] ids;
        final int[] label;
        final int[] argMax;
        final double[] best;
        final double[] max;
        final double[] sum;
        final double[] kl;
        final byte[] state;

        Block(int classes, int capacity) {
            this.capacity = capacity;
            int size = classes * capacity;
            z = new double[size];
            teacher = new double[size];
            logP = new double[size];
            p = new double[size];
            logS = new double[size];
            s = new double[size];
            logQ = new double[size];
            q = new double[size];
            grad = new double[size];
            ids = new double[capacity];
            label = new int[capacity];
            argMax = new int[capacity];
            best = new double[capacity];
            max = new double[capacity];
            sum = new double[capacity];
            kl = new double[capacity];
            state = new byte[capacity];
        }
    }

    /** What a row contributes: nothing (ignored), a labelled row, or an unlabelled row with a teacher term. */
    private static final byte SKIPPED = 0;
    private static final byte LABELLED = 1;
    private static final byte UNLABELLED = 2;

    /** Rows {@code first ... first + n - 1}: pixels {@code pixel ... pixel + n - 1} of one example. */
    private void lossOverBlock(Block b, Values z, Values y, double[] rowLoss, double[] valid, Values gradient,
                               int first, int example, int pixel, int n, int classes, int pixels, int labelColumns,
                               boolean soft, RowSums sums) {
        double t = temperature;
        int cap = b.capacity;
        int base = example * classes * pixels + pixel;
        int labelBase = example * labelColumns * pixels + pixel;
        // without teacher logits there is nothing to distil: plain cross-entropy, not alpha times it (alpha < 1
        // would only shrink the step; fine-tuning a distilled student without its teacher trained 10× slower)
        double hardWeight = labelColumns > 1 ? alpha : 1.0;
        y.read(labelBase, b.ids, 0, n);
        for (int i = 0; i < n; i++) {
            double id = b.ids[i];
            b.label[i] = -1;
            if (ignoreIndex != null && id == ignoreIndex) {
                b.state[i] = SKIPPED; // loss, gradient and validity stay 0
            } else if (id == DistillationLabels.UNLABELLED) {
                // no label: only a teacher term can learn from this row
                b.state[i] = soft ? UNLABELLED : SKIPPED;
            } else if (!(id >= 0 && id < classes && id == Math.rint(id))) {
                if (sums.invalidClassId == null) {
                    sums.invalidClassId = id;
                }
                b.state[i] = SKIPPED;
            } else {
                b.state[i] = LABELLED;
                b.label[i] = (int) id;
            }
        }
        for (int c = 0; c < classes; c++) {
            z.read(base + c * pixels, b.z, c * cap, n);
        }
        int integerTemperature = t == Math.rint(t) && t >= 1 && t <= 8 ? (int) t : 0;
        if (soft && integerTemperature > 0) {
            // softmax(z) from softmax(z / T) by powers: 6 fewer exp calls a row (perf put 7% of a cached
            // distillation step at 128×128 in the JVM's exp stub)
            logSoftmax(b, b.z, 1.0 / t, b.logS, b.s, n, classes);
            powerSoftmax(b, n, classes, integerTemperature);
        } else {
            logSoftmax(b, b.z, 1.0, b.logP, b.p, n, classes);
        }
        if (soft) {
            for (int c = 0; c < classes; c++) {
                y.read(labelBase + (1 + c) * pixels, b.teacher, c * cap, n);
            }
            logSoftmax(b, b.teacher, 1.0 / t, b.logQ, b.q, n, classes);
            if (integerTemperature == 0) {
                logSoftmax(b, b.z, 1.0 / t, b.logS, b.s, n, classes);
            }
            java.util.Arrays.fill(b.kl, 0, n, 0.0);
            for (int c = 0; c < classes; c++) {
                int off = c * cap;
                for (int i = 0; i < n; i++) {
                    b.kl[i] += b.q[off + i] * (b.logQ[off + i] - b.logS[off + i]);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            b.argMax[i] = 0;
            b.best[i] = b.z[i];
        }
        for (int c = 1; c < classes; c++) {
            int off = c * cap;
            for (int i = 0; i < n; i++) {
                if (b.z[off + i] > b.best[i]) {
                    b.best[i] = b.z[off + i];
                    b.argMax[i] = c;
                }
            }
        }
        // d/dz_s of T^2 * KL = T * (softmax(z_s / T) - softmax(z_t / T))
        double softWeight = (1.0 - alpha) * t;
        for (int c = 0; c < classes; c++) {
            int off = c * cap;
            for (int i = 0; i < n; i++) {
                double oneHot = b.label[i] == c ? 1.0 : 0.0;
                double g = soft
                        ? (b.state[i] == LABELLED ? alpha : 0.0) * (b.p[off + i] - oneHot)
                        + softWeight * (b.s[off + i] - b.q[off + i])
                        : hardWeight * (b.p[off + i] - oneHot);
                b.grad[off + i] = b.state[i] == SKIPPED ? 0.0 : g;
            }
            gradient.write(base + c * pixels, b.grad, off, n);
        }
        for (int i = 0; i < n; i++) {
            if (b.state[i] == SKIPPED) {
                continue;
            }
            boolean labelled = b.state[i] == LABELLED;
            double crossEntropy = labelled ? -b.logP[b.label[i] * cap + i] : 0.0;
            double loss = hardWeight * crossEntropy;
            if (soft) {
                double softLoss = t * t * b.kl[i];
                sums.softLossSum += softLoss;
                loss += (1.0 - alpha) * softLoss;
            }
            rowLoss[first + i] = loss;
            valid[first + i] = 1.0;
            sums.validCount++;
            sums.lossSum += loss;
            if (labelled) {
                sums.labelledCount++;
                sums.hardLossSum += crossEntropy;
                if (b.argMax[i] == b.label[i]) {
                    sums.correct++;
                }
            }
        }
    }

    /**
     * log softmax(z) and softmax(z) into {@code logP} and {@code p} from log softmax(z / T) and softmax(z / T) in
     * {@code logS} and {@code s}, for an integer T: softmax(z)_c is s_c^T / sum_k s_k^T, and its log is
     * T log s_c - log sum_k s_k^T (no exp; the logs stay exact where a power underflows).
     */
    private static void powerSoftmax(Block b, int n, int classes, int t) {
        int cap = b.capacity;
        for (int c = 0; c < classes; c++) {
            System.arraycopy(b.s, c * cap, b.p, c * cap, n);
        }
        for (int k = 1; k < t; k++) {
            for (int c = 0; c < classes; c++) {
                int off = c * cap;
                for (int i = 0; i < n; i++) {
                    b.p[off + i] *= b.s[off + i];
                }
            }
        }
        java.util.Arrays.fill(b.sum, 0, n, 0.0);
        for (int c = 0; c < classes; c++) {
            int off = c * cap;
            for (int i = 0; i < n; i++) {
                b.sum[i] += b.p[off + i];
            }
        }
        for (int i = 0; i < n; i++) {
            b.max[i] = Math.log(b.sum[i]); // log of the sum of powers
            b.sum[i] = 1.0 / b.sum[i];
        }
        for (int c = 0; c < classes; c++) {
            int off = c * cap;
            for (int i = 0; i < n; i++) {
                b.p[off + i] *= b.sum[i];
                b.logP[off + i] = t * b.logS[off + i] - b.max[i];
            }
        }
    }

    /**
     * log softmax(v / T) and softmax(v / T) of a block's values ({@code inverseT} is 1 / T), shifted by each pixel's
     * maximum so large logits cannot overflow.
     */
    private static void logSoftmax(Block b, double[] v, double inverseT, double[] logOut, double[] out, int n,
                                   int classes) {
        int cap = b.capacity;
        java.util.Arrays.fill(b.max, 0, n, Double.NEGATIVE_INFINITY);
        for (int c = 0; c < classes; c++) {
            int off = c * cap;
            for (int i = 0; i < n; i++) {
                double scaled = v[off + i] * inverseT;
                logOut[off + i] = scaled;
                b.max[i] = Math.max(b.max[i], scaled);
            }
        }
        java.util.Arrays.fill(b.sum, 0, n, 0.0);
        for (int c = 0; c < classes; c++) {
            int off = c * cap;
            for (int i = 0; i < n; i++) {
                double shifted = logOut[off + i] - b.max[i];
                logOut[off + i] = shifted;
                double e = Math.exp(shifted);
                out[off + i] = e;
                b.sum[i] += e;
            }
        }
        for (int i = 0; i < n; i++) {
            b.max[i] = Math.log(b.sum[i]); // from here on, log of the sum
            b.sum[i] = 1.0 / b.sum[i];
        }
        for (int c = 0; c < classes; c++) {
            int off = c * cap;
            for (int i = 0; i < n; i++) {
                logOut[off + i] -= b.max[i];
                out[off + i] *= b.sum[i];
            }
        }
    }

    /**
     * Softmax over dimension 1 of {@code [N, C]} or {@code [N, C, H, W]} logits, in their data type: four native
     * passes (max, shift, exp in place, divide in place). A per-element Java loop with {@code Math.exp} cost a fifth
     * of a student's inference at 256×256; ND4J's {@code SoftMax} op on dimension 1 of a rank-4 array is wrong in M2.1.
     */
    public static INDArray softmaxOverClasses(INDArray logits) {
        INDArray shifted = logits.sub(logits.max(true, 1));
        Transforms.exp(shifted, false);
        return shifted.divi(shifted.sum(true, 1));
    }

    public double alpha() {
        return alpha;
    }

    public double temperature() {
        return temperature;
    }

    public Integer ignoreIndex() {
        return ignoreIndex;
    }
}
