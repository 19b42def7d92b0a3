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

    /**
     * Rows {@code [from, to)}: row r is example {@code r / pixels}, pixel {@code r % pixels}; class c of it sits at
     * {@code example * classes * pixels + c * pixels + pixel} (NCHW; rows of [M, C] are the case pixels = 1).
     */
    private RowSums lossOverRows(Values z, Values y, double[] rowLoss, double[] valid, Values gradient,
                                 int from, int to, int classes, int pixels, int labelColumns, boolean soft) {
        RowSums sums = new RowSums();
        double t = temperature;
        // without teacher logits there is nothing to distil: plain cross-entropy, not alpha times it (alpha < 1
        // would only shrink the step; fine-tuning a distilled student without its teacher trained 10× slower)
        double hardWeight = labelColumns > 1 ? alpha : 1.0;
        double[] logP = new double[classes];
        double[] p = new double[classes];
        double[] logQ = new double[classes];
        double[] q = new double[classes];
        double[] logS = new double[classes];
        double[] s = new double[classes];
        double inverseT = 1.0 / t;
        int integerTemperature = t == Math.rint(t) && t >= 1 && t <= 8 ? (int) t : 0;
        // example and pixel of row r, stepped rather than divided out: this loop runs once per pixel, and integer
        // and floating-point divisions (here and in the softmaxes: multiplications by reciprocals) are its slowest
        // instructions
        int example = from / pixels;
        int pixel = from % pixels - 1;
        for (int r = from; r < to; r++) {
            if (++pixel == pixels) {
                pixel = 0;
                example++;
            }
            int base = example * classes * pixels + pixel;
            int labelBase = example * labelColumns * pixels + pixel;
            double id = y.get(labelBase);
            if (ignoreIndex != null && id == ignoreIndex) {
                continue; // loss, gradient and validity stay 0
            }
            boolean unlabelled = id == DistillationLabels.UNLABELLED;
            if (unlabelled && !soft) {
                continue; // no label and no teacher term here: nothing to learn from this row
            }
            if (!unlabelled && !(id >= 0 && id < classes && id == Math.rint(id))) {
                if (sums.invalidClassId == null) {
                    sums.invalidClassId = id;
                }
                continue;
            }
            int label = unlabelled ? -1 : (int) id;
            if (soft && integerTemperature > 0) {
                // softmax(z) from softmax(z / T) by powers: 6 fewer exp calls a row (perf put 7% of a cached
                // distillation step at 128×128 in the JVM's exp stub)
                logSoftmax(z, base, pixels, classes, inverseT, logS, s);
                powerSoftmax(logS, s, classes, integerTemperature, logP, p);
            } else {
                logSoftmax(z, base, pixels, classes, 1.0, logP, p);
            }
            int argMax = 0;
            for (int c = 1; c < classes; c++) {
                if (z.get(base + c * pixels) > z.get(base + argMax * pixels)) {
                    argMax = c;
                }
            }
            double crossEntropy = unlabelled ? 0.0 : -logP[label];
            double labelWeight = unlabelled ? 0.0 : alpha;
            double loss = hardWeight * crossEntropy;
            if (soft) {
                logSoftmax(y, labelBase + pixels, pixels, classes, inverseT, logQ, q);
                if (integerTemperature == 0) {
                    logSoftmax(z, base, pixels, classes, inverseT, logS, s);
                }
                double kl = 0;
                for (int c = 0; c < classes; c++) {
                    kl += q[c] * (logQ[c] - logS[c]);
                    // d/dz_s of T^2 * KL = T * (softmax(z_s / T) - softmax(z_t / T))
                    gradient.set(base + c * pixels, labelWeight * (p[c] - (c == label ? 1.0 : 0.0))
                            + (1.0 - alpha) * t * (s[c] - q[c]));
                }
                double softLoss = t * t * kl;
                sums.softLossSum += softLoss;
                loss += (1.0 - alpha) * softLoss;
            } else {
                for (int c = 0; c < classes; c++) {
                    gradient.set(base + c * pixels, hardWeight * (p[c] - (c == label ? 1.0 : 0.0)));
                }
            }
            rowLoss[r] = loss;
            valid[r] = 1.0;
            sums.validCount++;
            sums.lossSum += loss;
            if (!unlabelled) {
                sums.labelledCount++;
                sums.hardLossSum += crossEntropy;
                if (argMax == label) {
                    sums.correct++;
                }
            }
        }
        return sums;
    }

    /**
     * log softmax(v) and softmax(v) from {@code logS} and {@code s}, log softmax(v / T) and softmax(v / T) for an integer
     * T: softmax(v)_c is s_c^T / sum_k s_k^T, and its log is T log s_c - log sum_k s_k^T (no exp; the logs stay exact
     * where a power underflows).
     */
    private static void powerSoftmax(double[] logS, double[] s, int classes, int t, double[] logOut, double[] out) {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            double power = s[c];
            for (int i = 1; i < t; i++) {
                power *= s[c];
            }
            out[c] = power;
            sum += power;
        }
        double logSum = Math.log(sum);
        double inverseSum = 1.0 / sum;
        for (int c = 0; c < classes; c++) {
            out[c] *= inverseSum;
            logOut[c] = t * logS[c] - logSum;
        }
    }

    /**
     * log softmax(v / T) and softmax(v / T) of the {@code classes} values at {@code start, start + stride, ...},
     * shifted by their maximum so large logits cannot overflow; {@code inverseT} is 1 / T.
     */
    private static void logSoftmax(Values v, int start, int stride, int classes, double inverseT, double[] logOut,
                                   double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            double scaled = v.get(start + c * stride) * inverseT;
            logOut[c] = scaled;
            max = Math.max(max, scaled);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            logOut[c] -= max;
            out[c] = Math.exp(logOut[c]);
            sum += out[c];
        }
        double logSum = Math.log(sum);
        double inverseSum = 1.0 / sum;
        for (int c = 0; c < classes; c++) {
            logOut[c] -= logSum;
            out[c] *= inverseSum;
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
