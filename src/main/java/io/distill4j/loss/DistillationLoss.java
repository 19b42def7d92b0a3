package io.distill4j.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The distillation loss on rows of logits, independent of any layer:
 * <pre>
 *   loss = alpha * CE(y, softmax(z_s)) + (1 - alpha) * T^2 * KL(softmax(z_t / T) || softmax(z_s / T))
 * </pre>
 * Each row is one example (classification) or one pixel (segmentation). Labels are {@code [M, 1]} class ids
 * (hard labels only: plain cross-entropy) or {@code [M, 1 + C]}: class ids in column 0 and the teacher's logits
 * in columns 1..C. Rows whose class id equals the ignore index count in neither term.
 *
 * <p>The gradient with respect to the student logits is
 * {@code alpha * (softmax(z_s) - onehot(y)) + (1 - alpha) * T * (softmax(z_s / T) - softmax(z_t / T))}.
 */
public final class DistillationLoss {

    /**
     * Per-row losses and their gradient; rows that are ignored have zero loss and zero gradient. Also the sums of the
     * two terms before weighting (cross-entropy, and T^2 * KL when a teacher is present) and the count of rows whose
     * arg-max is the label, for monitoring.
     */
    public record Result(INDArray rowLoss, INDArray gradient, INDArray validRows, long validCount,
                         double hardLossSum, double softLossSum, long correct) {
        /** Mean loss over the rows that count (0 when none do). */
        public double meanLoss() {
            return validCount == 0 ? 0.0 : rowLoss.sumNumber().doubleValue() / validCount;
        }

        /** Batch statistics for monitoring. */
        public BatchStats stats() {
            return new BatchStats(meanLoss(), hardLossSum, softLossSum, correct, validCount);
        }
    }

    /** What one batch contributed: mean total loss, unweighted term sums, correct and counted rows. */
    public record BatchStats(double meanLoss, double hardLossSum, double softLossSum, long correct, long counted) {
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
     * @param studentLogits {@code [M, C]} student logits
     * @param labels        {@code [M, 1]} class ids or {@code [M, 1 + C]} class ids + teacher logits
     */
    public Result compute(INDArray studentLogits, INDArray labels) {
        long rows = studentLogits.size(0);
        int classes = (int) studentLogits.size(1);
        DataType dtype = studentLogits.dataType();
        labels = labels.castTo(dtype);
        long labelColumns = labels.size(1);
        boolean hasTeacher = labelColumns == 1L + classes;
        if (labelColumns != 1 && !hasTeacher) {
            throw new IllegalArgumentException("distillation labels have " + labelColumns + " channels; expected 1 (class ids)"
                    + " or 1 + " + classes + " (class ids + teacher logits for the student's " + classes + " classes):"
                    + " the teacher gives " + (labelColumns - 1) + " classes, the student " + classes);
        }
        INDArray classIds = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).reshape(rows);
        INDArray oneHot = Nd4j.zeros(dtype, rows, classes);
        INDArray valid = Nd4j.zeros(dtype, rows);
        for (int c = 0; c < classes; c++) {
            INDArray isClass = classIds.eq(c).castTo(dtype);
            if (ignoreIndex != null && ignoreIndex == c) {
                continue;
            }
            oneHot.getColumn(c).assign(isClass);
            valid.addi(isClass);
        }
        long ignored = ignoreIndex == null ? 0 : classIds.eq(ignoreIndex).castTo(DataType.INT64).sumNumber().longValue();
        long validCount = valid.sumNumber().longValue();
        if (validCount + ignored != rows) {
            throw new IllegalArgumentException("class id " + firstInvalidClassId(classIds, classes) + " is out of range: expected an"
                    + " integer in [0, " + (classes - 1) + "]" + (ignoreIndex == null ? "" : " or the ignore index " + ignoreIndex));
        }

        INDArray logProbs = logSoftmax(studentLogits);
        INDArray probs = Transforms.exp(logProbs, true);
        // cross-entropy per row: -log p_y
        INDArray crossEntropy = logProbs.mul(oneHot).sum(1).negi();
        double hardLossSum = crossEntropy.sumNumber().doubleValue();
        long correct = studentLogits.argMax(1).castTo(dtype).eq(classIds).castTo(dtype).muli(valid)
                .sumNumber().longValue();
        INDArray rowLoss = crossEntropy.muli(alpha);
        INDArray gradient = probs.sub(oneHot).muli(alpha);
        double softLossSum = 0;

        if (hasTeacher && alpha < 1.0) {
            double t = temperature;
            INDArray teacherLogits = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + classes));
            INDArray teacherLogProbs = logSoftmax(teacherLogits.div(t));
            INDArray teacherProbs = Transforms.exp(teacherLogProbs, true);
            INDArray studentLogProbsT = logSoftmax(studentLogits.div(t));
            INDArray studentProbsT = Transforms.exp(studentLogProbsT, true);
            INDArray softLoss = teacherProbs.mul(teacherLogProbs.sub(studentLogProbsT)).sum(1).muli(t * t).muli(valid);
            softLossSum = softLoss.sumNumber().doubleValue();
            rowLoss.addi(softLoss.muli(1.0 - alpha));
            // d/dz_s of T^2 * KL = T * (softmax(z_s / T) - softmax(z_t / T))
            gradient.addi(studentProbsT.subi(teacherProbs).muli((1.0 - alpha) * t));
        }
        rowLoss.muli(valid);
        gradient.muliColumnVector(valid.reshape(rows, 1));
        return new Result(rowLoss, gradient, valid, validCount, hardLossSum, softLossSum, correct);
    }

    /** {@code [N, C]} stays; {@code [N, C, H, W]} (NCHW) becomes {@code [N*H*W, C]}, one row per pixel. */
    public static INDArray rows(INDArray array) {
        if (array.rank() == 2) {
            return array;
        }
        if (array.rank() != 4) {
            throw new IllegalArgumentException("expected rank 2 or 4, got shape " + java.util.Arrays.toString(array.shape()));
        }
        return array.permute(0, 2, 3, 1).dup('c').reshape(array.size(0) * array.size(2) * array.size(3), array.size(1));
    }

    /** Row-wise log-softmax, shifted by the row maximum so large logits do not overflow. */
    static INDArray logSoftmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(logits.size(0), 1));
        INDArray logSumExp = Transforms.log(Transforms.exp(shifted, true).sum(1), false).reshape(logits.size(0), 1);
        return shifted.subiColumnVector(logSumExp);
    }

    private double firstInvalidClassId(INDArray classIds, int classes) {
        for (double v : classIds.toDoubleVector()) {
            boolean ok = v == Math.rint(v) && ((v >= 0 && v < classes) || (ignoreIndex != null && v == ignoreIndex));
            if (!ok) {
                return v;
            }
        }
        throw new IllegalStateException("no invalid class id found");
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
