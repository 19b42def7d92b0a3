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
        Rows rows = rows(studentLogits, labels, true);
        DataType dtype = studentLogits.dataType();
        RowSums sums = rows.sums();
        return new Result(Nd4j.createFromArray(rows.rowLoss()).castTo(dtype),
                rows.gradient().toArray(studentLogits.shape(), dtype),
                Nd4j.createFromArray(rows.valid()).castTo(dtype), sums.validCount, sums.lossSum, sums.hardLossSum,
                sums.softLossSum, sums.correct, sums.labelledCount);
    }

    /**
     * {@link #compute}'s figures before they become ND4J arrays: {@link LogitObjective} scales the gradient here,
     * which saved four copies of the logits' size per step. {@code rowLoss} and {@code valid} are null when not asked
     * for ({@link LogitObjective} needs only each example's sums, in {@link RowSums}).
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

    Rows rows(INDArray studentLogits, INDArray labels, boolean keepRows) {
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
        double[] rowLoss = keepRows ? new double[rows] : null;
        double[] valid = keepRows ? new double[rows] : null;
        Values gradient = z.uninitializedLike(); // every row's gradient is written by its block
        boolean soft = hasTeacher && alpha < 1.0;
        int chunk = Math.max(1024, (rows + 15) / 16);
        RowSums sums = IntStream.range(0, (rows + chunk - 1) / chunk).parallel()
                .mapToObj(part -> lossOverRows(z, y, rowLoss, valid, gradient, part * chunk,
                        Math.min(rows, (part + 1) * chunk), examples, classes, pixels, labelColumns, soft))
                .reduce(RowSums::plus).orElseGet(() -> new RowSums(examples));
        if (sums.invalidClassId != null) {
            throw new IllegalArgumentException("class id " + sums.invalidClassId + " is out of range: expected an"
                    + " integer in [0, " + (classes - 1) + "]" + (ignoreIndex == null ? "" : " or the ignore index " + ignoreIndex));
        }
        return new Rows(rowLoss, valid, gradient, sums);
    }

    /**
     * Partial sums over a range of rows, and the first invalid class id met there, if any; also per example (index:
     * the example), the sum of its rows' losses and how many of its rows count.
     */
    static final class RowSums {
        final double[] exampleLoss;
        final long[] exampleValid;
        long validCount;
        long labelledCount;
        long correct;
        double lossSum;
        double hardLossSum;
        double softLossSum;
        Double invalidClassId;

        RowSums(int examples) {
            exampleLoss = new double[examples];
            exampleValid = new long[examples];
        }

        RowSums plus(RowSums other) {
            RowSums sum = new RowSums(exampleLoss.length);
            for (int e = 0; e < exampleLoss.length; e++) {
                sum.exampleLoss[e] = exampleLoss[e] + other.exampleLoss[e];
                sum.exampleValid[e] = exampleValid[e] + other.exampleValid[e];
            }
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
     * in blocks of up to {@link #BLOCK} consecutive pixels of one example, each class's values of a block an array of
     * its own ({@link Block}), so every step is a loop over consecutive pixels that the JIT compiles to vector
     * instructions (all but the log of each row's softmax denominators, and Math.exp on double arrays): per row, with
     * the classes innermost, the loop ran at a third of the speed.
     */
    private RowSums lossOverRows(Values z, Values y, double[] rowLoss, double[] valid, Values gradient,
                                 int from, int to, int examples, int classes, int pixels, int labelColumns,
                                 boolean soft) {
        RowSums sums = new RowSums(examples);
        // a new block for each range of rows: reusing each thread's last block (a ThreadLocal) saved 0.5 MB of Java
        // garbage a step but made the loss alone 1.1-2.2x slower at 256² in 5 alternating pairs (README, Performance)
        Block block = new Block(classes, Math.min(BLOCK, to - from), z.isDouble());
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

    /**
     * Working arrays of one block: {@code [class][i]} for the i-th pixel of the block, one array per class. Every loop
     * then indexes all its arrays by i alone: C2 (JDK 17) vectorises no loop that mixes {@code a[offset + i]} with
     * {@code b[i]} on arrays of one element type, as it cannot rule out that they are the same array, and with one
     * flat class-by-pixel array per quantity every loop that used a per-pixel value (maximum, denominator, weight)
     * ran scalar: 1.9-3.7x slower per pass (README, Performance, "A loss C2 vectorises").
     */
    private static final class Block {
        final int capacity;
        /**
         * Math.exp rather than {@link ShiftedExp} (double arrays): a gradient check's finite differences of 1e-6
         * turn ShiftedExp's 5e-14 relative error into 1e-5 relative noise on small gradients, while a float network
         * rounds its gradient to float (6e-8) anyway.
         */
        final boolean exactExp;
        final double[][] z;
        final double[][] teacher;
        /** Logits scaled by 1 / T and shifted by each pixel's maximum: student at T = 1, at T, teacher at T. */
        final double[][] shiftedP;
        final double[][] p;
        final double[][] shiftedS;
        final double[][] s;
        final double[][] shiftedQ;
        final double[][] q;
        /** Each pixel's softmax denominators, sum_c e^shifted_c, of p, s and q: in [1, classes]. */
        final double[] sumP;
        final double[] sumS;
        final double[] sumQ;
        final double[][] grad;
        final double[] ids;
        final int[] label;
        final double[] hardW;
        final double[] softW;
        final double[] zMax;
        final double[] max;
        final double[] sum;
        final double[] kl;
        final byte[] state;

        Block(int classes, int capacity, boolean exactExp) {
            this.capacity = capacity;
            this.exactExp = exactExp;
            z = new double[classes][capacity];
            teacher = new double[classes][capacity];
            shiftedP = new double[classes][capacity];
            p = new double[classes][capacity];
            shiftedS = new double[classes][capacity];
            s = new double[classes][capacity];
            shiftedQ = new double[classes][capacity];
            q = new double[classes][capacity];
            sumP = new double[capacity];
            sumS = new double[capacity];
            sumQ = new double[capacity];
            grad = new double[classes][capacity];
            ids = new double[capacity];
            label = new int[capacity];
            hardW = new double[capacity];
            softW = new double[capacity];
            zMax = new double[capacity];
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
        int base = example * classes * pixels + pixel;
        int labelBase = example * labelColumns * pixels + pixel;
        // without teacher logits there is nothing to distil: plain cross-entropy, not alpha times it (alpha < 1
        // would only shrink the step; fine-tuning a distilled student without its teacher trained 10× slower)
        double hardWeight = labelColumns > 1 ? alpha : 1.0;
        // d/dz_s of T^2 * KL = T * (softmax(z_s / T) - softmax(z_t / T))
        double softWeight = soft ? (1.0 - alpha) * t : 0.0;
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
            // each row's weights as arrays, so that the gradient is one branch-free loop per class
            b.hardW[i] = b.state[i] == LABELLED ? hardWeight : 0.0;
            b.softW[i] = b.state[i] == SKIPPED ? 0.0 : softWeight;
        }
        for (int c = 0; c < classes; c++) {
            z.read(base + c * pixels, b.z[c], 0, n);
        }
        int integerTemperature = t == Math.rint(t) && t >= 1 && t <= 8 ? (int) t : 0;
        boolean powers = soft && integerTemperature > 0;
        if (powers) {
            // softmax(z) from softmax(z / T) by powers: products instead of a second exp of every class
            softmax(b, b.z, 1.0 / t, b.shiftedS, b.s, b.sumS, n, classes);
            powerSoftmax(b, n, classes, integerTemperature);
        } else {
            softmax(b, b.z, 1.0, b.shiftedP, b.p, b.sumP, n, classes);
        }
        if (soft) {
            for (int c = 0; c < classes; c++) {
                y.read(labelBase + (1 + c) * pixels, b.teacher[c], 0, n);
            }
            softmax(b, b.teacher, 1.0 / t, b.shiftedQ, b.q, b.sumQ, n, classes);
            if (!powers) {
                softmax(b, b.z, 1.0 / t, b.shiftedS, b.s, b.sumS, n, classes);
            }
            // KL(q || s) = sum_c q_c (log q_c - log s_c), with log q_c = shiftedQ_c - log sumQ and the same for s:
            // = sum_c q_c (shiftedQ_c - shiftedS_c) + log(sumS / sumQ), as sum_c q_c = 1; kl holds the sum, the log
            // is taken below
            java.util.Arrays.fill(b.kl, 0, n, 0.0);
            for (int c = 0; c < classes; c++) {
                double[] q = b.q[c];
                double[] shiftedQ = b.shiftedQ[c];
                double[] shiftedS = b.shiftedS[c];
                for (int i = 0; i < n; i++) {
                    b.kl[i] += q[i] * (shiftedQ[i] - shiftedS[i]);
                }
            }
        }
        System.arraycopy(b.z[0], 0, b.zMax, 0, n);
        for (int c = 1; c < classes; c++) {
            double[] zc = b.z[c];
            for (int i = 0; i < n; i++) {
                b.zMax[i] = Math.max(b.zMax[i], zc[i]);
            }
        }
        for (int c = 0; c < classes; c++) {
            double[] grad = b.grad[c];
            double[] p = b.p[c];
            if (soft) {
                double[] sc = b.s[c];
                double[] q = b.q[c];
                for (int i = 0; i < n; i++) {
                    grad[i] = b.hardW[i] * p[i] + b.softW[i] * (sc[i] - q[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    grad[i] = b.hardW[i] * p[i];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (b.state[i] == LABELLED) {
                b.grad[b.label[i]][i] -= b.hardW[i]; // the one-hot's part
            }
        }
        for (int c = 0; c < classes; c++) {
            gradient.write(base + c * pixels, b.grad[c], 0, n);
        }
        // The block's sums take one log per group of rows, log(x_1 ... x_k) = log x_1 + ... + log x_k: Math.log is a
        // scalar call, two a row (cross-entropy and KL), where the rest of the loss runs as vector loops. Each factor
        // lies in [1/C, C], so a group's product stays inside double's range. Per-row values (compute) take their own.
        int group = (int) Math.max(1, Math.min(n, 900 / (Math.log(Math.max(2, classes)) / Math.log(2))));
        double crossEntropySum = 0;
        double klSum = 0;
        double sumPProduct = 1;
        double sumRatioProduct = 1;
        int inGroup = 0;
        for (int i = 0; i < n; i++) {
            if (b.state[i] == SKIPPED) {
                continue;
            }
            boolean labelled = b.state[i] == LABELLED;
            // -log p_label = log sumP - (z_label - max z); by powers, z_label - max z is T times its shifted value at T
            double negativeShiftedLabel = labelled
                    ? -(powers ? t * b.shiftedS[b.label[i]][i] : b.shiftedP[b.label[i]][i]) : 0.0;
            if (labelled) {
                crossEntropySum += negativeShiftedLabel;
                sumPProduct *= b.sumP[i];
            }
            if (soft) {
                klSum += b.kl[i];
                sumRatioProduct *= b.sumS[i] / b.sumQ[i];
            }
            if (++inGroup == group) {
                crossEntropySum += Math.log(sumPProduct);
                klSum += Math.log(sumRatioProduct);
                sumPProduct = 1;
                sumRatioProduct = 1;
                inGroup = 0;
            }
            if (rowLoss != null) {
                double crossEntropy = labelled ? Math.log(b.sumP[i]) + negativeShiftedLabel : 0.0;
                double kl = soft ? b.kl[i] + Math.log(b.sumS[i] / b.sumQ[i]) : 0.0;
                rowLoss[first + i] = hardWeight * crossEntropy + (1.0 - alpha) * t * t * kl;
                valid[first + i] = 1.0;
            }
            sums.exampleValid[example]++;
            sums.validCount++;
            if (labelled) {
                sums.labelledCount++;
                if (isArgMax(b, i, b.label[i])) {
                    sums.correct++;
                }
            }
        }
        crossEntropySum += Math.log(sumPProduct);
        klSum += Math.log(sumRatioProduct);
        double softLoss = soft ? t * t * klSum : 0.0;
        double loss = hardWeight * crossEntropySum + (1.0 - alpha) * softLoss;
        sums.hardLossSum += crossEntropySum;
        sums.softLossSum += softLoss;
        sums.lossSum += loss;
        sums.exampleLoss[example] += loss;
    }

    /** Whether class {@code label} is row i's arg-max: the largest logit, and the first class to have it. */
    private static boolean isArgMax(Block b, int i, int label) {
        double value = b.z[label][i];
        if (value != b.zMax[i]) {
            return false;
        }
        for (int c = 0; c < label; c++) {
            if (b.z[c][i] == value) {
                return false;
            }
        }
        return true;
    }

    /**
     * softmax(z) into {@code p} and its denominator sum_c e^(z_c - max z) into {@code sumP} from softmax(z / T) in
     * {@code s} and its denominator in {@code sumS}, for an integer T: softmax(z)_c is s_c^T / sum_k s_k^T, and
     * e^(z_c - max z) is (s_c sumS)^T, so sumP = sumS^T sum_k s_k^T (no exp, no log).
     */
    private static void powerSoftmax(Block b, int n, int classes, int t) {
        for (int c = 0; c < classes; c++) {
            System.arraycopy(b.s[c], 0, b.p[c], 0, n);
        }
        for (int k = 1; k < t; k++) {
            for (int c = 0; c < classes; c++) {
                double[] p = b.p[c];
                double[] sc = b.s[c];
                for (int i = 0; i < n; i++) {
                    p[i] *= sc[i];
                }
            }
        }
        java.util.Arrays.fill(b.sum, 0, n, 0.0);
        for (int c = 0; c < classes; c++) {
            double[] p = b.p[c];
            for (int i = 0; i < n; i++) {
                b.sum[i] += p[i];
            }
        }
        for (int i = 0; i < n; i++) {
            b.sumP[i] = b.sum[i];
            b.sum[i] = 1.0 / b.sum[i];
        }
        for (int k = 0; k < t; k++) {
            for (int i = 0; i < n; i++) {
                b.sumP[i] *= b.sumS[i];
            }
        }
        for (int c = 0; c < classes; c++) {
            double[] p = b.p[c];
            for (int i = 0; i < n; i++) {
                p[i] *= b.sum[i];
            }
        }
    }

    /**
     * softmax(v / T) of a block's values into {@code out} ({@code inverseT} is 1 / T), the scaled values shifted by
     * each pixel's maximum into {@code shifted} (so large logits cannot overflow), and the denominators
     * sum_c e^shifted_c into {@code sums}. Log-probabilities are shifted values minus the log of the sum; callers
     * take that log only where a loss needs it.
     */
    private static void softmax(Block b, double[][] v, double inverseT, double[][] shifted, double[][] out,
                                double[] sums, int n, int classes) {
        java.util.Arrays.fill(b.max, 0, n, Double.NEGATIVE_INFINITY);
        for (int c = 0; c < classes; c++) {
            double[] vc = v[c];
            double[] shiftedC = shifted[c];
            for (int i = 0; i < n; i++) {
                double scaled = vc[i] * inverseT;
                shiftedC[i] = scaled;
                b.max[i] = Math.max(b.max[i], scaled);
            }
        }
        java.util.Arrays.fill(sums, 0, n, 0.0);
        for (int c = 0; c < classes; c++) {
            double[] shiftedC = shifted[c];
            double[] outC = out[c];
            // three loops: C2 vectorises each, not their fusion
            for (int i = 0; i < n; i++) {
                shiftedC[i] -= b.max[i];
            }
            if (b.exactExp) {
                for (int i = 0; i < n; i++) {
                    outC[i] = Math.exp(shiftedC[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    outC[i] = ShiftedExp.of(shiftedC[i]);
                }
            }
            for (int i = 0; i < n; i++) {
                sums[i] += outC[i];
            }
        }
        for (int i = 0; i < n; i++) {
            b.sum[i] = 1.0 / sums[i];
        }
        for (int c = 0; c < classes; c++) {
            double[] outC = out[c];
            for (int i = 0; i < n; i++) {
                outC[i] *= b.sum[i];
            }
        }
    }

    /**
     * Softmax over dimension 1 of {@code [N, C]} or {@code [N, C, H, W]} logits, in their data type: four native
     * passes (max, shift, exp in place, divide in place). A per-element Java loop with {@code Math.exp} cost a fifth
     * of a student's inference at 256×256; the loss's blocks with {@link ShiftedExp} (heap copies in and out) were no
     * faster than these passes, whose float exp is libm's; ND4J's {@code SoftMax} op on dimension 1 of a rank-4 array
     * is wrong in M2.1.
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
