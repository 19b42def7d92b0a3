package io.distill4j.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The weighted sum of the logit terms a {@link DistillationOutputLayer} computes: {@link DistillationTerm.Kd kd}
 * (through {@link DistillationLoss}), {@link DistillationTerm.L2Logits l2-logits}, {@link DistillationTerm.Cwd cwd} on
 * the logits and {@link DistillationTerm.Dkd dkd}. Each term is a mean over what it is defined on (kd and l2 over the
 * rows that are not ignored, dkd over the labelled rows, cwd over examples × channels), so weights mean the same
 * whatever the image size. Labels without teacher logits give plain cross-entropy whatever the terms, so the same
 * student graph trains from scratch and fine-tunes without its teacher.
 *
 * <p>Layouts as in {@link DistillationLoss}: logits {@code [N, C]} or {@code [N, C, H, W]}; labels {@code [N, 1 + C, …]}
 * with class ids (or {@link DistillationLabels#UNLABELLED}) in channel 0 and the teacher's logits after them.
 */
public final class LogitObjective {

    /** The objective's mean value, its gradient with respect to the logits, per-example values and batch stats. */
    public record Result(double meanLoss, INDArray gradient, double[] perExample, DistillationLoss.BatchStats stats) {
    }

    private final double kdWeight;
    private final DistillationLoss kd;
    private final double l2Weight;
    private final double cwdWeight;
    private final double cwdTau;
    private final double dkdWeight;
    private final double dkdAlpha;
    private final double dkdBeta;
    private final double dkdTemperature;

    public LogitObjective(double kdWeight, DistillationLoss kd, double l2Weight, double cwdWeight, double cwdTau,
                          double dkdWeight, double dkdAlpha, double dkdBeta, double dkdTemperature) {
        this.kdWeight = kdWeight;
        this.kd = kd;
        this.l2Weight = l2Weight;
        this.cwdWeight = cwdWeight;
        this.cwdTau = cwdTau;
        this.dkdWeight = dkdWeight;
        this.dkdAlpha = dkdAlpha;
        this.dkdBeta = dkdBeta;
        this.dkdTemperature = dkdTemperature;
    }

    public Result compute(INDArray studentLogits, INDArray labels) {
        DistillationLoss.Rows kdResult = kd.rows(studentLogits, labels, false);
        int examples = (int) studentLogits.size(0);
        int classes = (int) studentLogits.size(1);
        int pixels = studentLogits.rank() == 4 ? (int) (studentLogits.size(2) * studentLogits.size(3)) : 1;
        boolean hasTeacher = labels.size(1) == 1 + classes;
        double kdW = hasTeacher ? kdWeight : 1.0;

        Values gradient = kdResult.gradient();
        double kdScale = kdResult.sums().validCount == 0 ? 0.0 : kdW / kdResult.sums().validCount;
        gradient.scale(kdScale);
        double[] perExample = perExampleMeans(kdResult, examples, kdW);
        double meanLoss = kdW * kdResult.meanLoss();
        double teacherLoss = kdW * (1 - kd.alpha()) * kdResult.sums().softLossSum
                / Math.max(1, kdResult.sums().validCount);

        if (hasTeacher && (l2Weight > 0 || cwdWeight > 0 || dkdWeight > 0)) {
            Values z = Values.of(studentLogits);
            Values y = Values.of(labels);
            double extra = 0;
            if (l2Weight > 0) {
                extra += l2Weight * l2(z, y, examples, classes, pixels, gradient, perExample);
            }
            if (dkdWeight > 0) {
                if (pixels != 1) {
                    throw new IllegalArgumentException("dkd is a classification term: the logits are "
                            + Arrays.toString(studentLogits.shape()) + "; use kd, cwd or l2-logits for segmentation");
                }
                extra += dkdWeight * dkd(z, y, examples, classes, gradient, perExample);
            }
            if (cwdWeight > 0) {
                if (pixels == 1) {
                    throw new IllegalArgumentException("cwd needs spatial logits [N, C, H, W]: its softmax runs over"
                            + " the positions of each channel; the logits are " + Arrays.toString(studentLogits.shape()));
                }
                extra += cwdWeight * ChannelWise.loss(z, y, 1, 1 + classes, examples, classes, pixels,
                        cwdTau, gradient, cwdWeight, perExample);
            }
            meanLoss += extra;
            teacherLoss += extra;
        }
        DistillationLoss.BatchStats kdStats = kdResult.stats();
        DistillationLoss.BatchStats stats = new DistillationLoss.BatchStats(meanLoss, kdStats.meanHardLoss(),
                hasTeacher ? teacherLoss : Double.NaN, kdStats.correct(), kdStats.labelled());
        return new Result(meanLoss, gradient.toArray(studentLogits.shape(), studentLogits.dataType()), perExample,
                stats);
    }

    /** kd's per-example means over each example's counted rows, times its weight. */
    private static double[] perExampleMeans(DistillationLoss.Rows kdResult, int examples, double weight) {
        DistillationLoss.RowSums sums = kdResult.sums();
        double[] out = new double[examples];
        for (int e = 0; e < examples; e++) {
            long count = sums.exampleValid[e];
            out[e] = count == 0 ? 0 : weight * sums.exampleLoss[e] / count;
        }
        return out;
    }

    /** Whether the row's class id says "ignore" (the dataset's void class). */
    private boolean ignored(double id) {
        return kd.ignoreIndex() != null && id == kd.ignoreIndex();
    }

    /**
     * Mean over non-ignored rows of {@code (1/C) Σ_c (z_s − z_t)²}; adds {@code weight · ∂mean/∂z_s} to the gradient
     * and the weighted per-example means to {@code perExample}.
     */
    private double l2(Values z, Values y, int examples, int classes, int pixels, Values gradient, double[] perExample) {
        int rows = examples * pixels;
        int labelColumns = 1 + classes;
        double[] rowLoss = new double[rows];
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            int example = r / pixels;
            int pixel = r % pixels;
            if (ignored(y.get(example * labelColumns * pixels + pixel))) {
                rowLoss[r] = Double.NaN;
                continue;
            }
            counted++;
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double d = z.get(example * classes * pixels + c * pixels + pixel)
                        - y.get(example * labelColumns * pixels + (1 + c) * pixels + pixel);
                sum += d * d;
            }
            rowLoss[r] = sum / classes;
        }
        if (counted == 0) {
            return 0;
        }
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (Double.isNaN(rowLoss[r])) {
                continue;
            }
            total += rowLoss[r];
            int example = r / pixels;
            int pixel = r % pixels;
            for (int c = 0; c < classes; c++) {
                int at = example * classes * pixels + c * pixels + pixel;
                double d = z.get(at) - y.get(example * labelColumns * pixels + (1 + c) * pixels + pixel);
                gradient.add(at, l2Weight * 2 * d / (classes * (double) counted));
            }
        }
        addPerExample(rowLoss, examples, pixels, l2Weight, perExample);
        return total / counted;
    }

    /**
     * Mean over labelled rows of {@code T² (alpha · TCKD + beta · NCKD)}. With {@code p = softmax(z/T)} and the
     * target t, TCKD = KL([p_t^T, 1 − p_t^T] ‖ [p_t^S, 1 − p_t^S]) and NCKD = KL(p̂^T ‖ p̂^S) over the non-target
     * classes renormalised. Gradients: ∂TCKD/∂z_t = (σ − b)/T, ∂TCKD/∂z_c = p̂^S_c (b − σ)/T for c ≠ t
     * (σ = p_t^S, b = p_t^T); ∂NCKD/∂z_c = (p̂^S_c − p̂^T_c)/T for c ≠ t, 0 for the target.
     */
    private double dkd(Values z, Values y, int examples, int classes, Values gradient, double[] perExample) {
        int labelColumns = 1 + classes;
        double t = dkdTemperature;
        double[] ps = new double[classes];
        double[] pt = new double[classes];
        double[] rowLoss = new double[examples];
        double[][] rowGradient = new double[examples][];
        int counted = 0;
        for (int e = 0; e < examples; e++) {
            double id = y.get(e * labelColumns);
            if (id == DistillationLabels.UNLABELLED || ignored(id)) {
                rowLoss[e] = Double.NaN;
                continue;
            }
            int target = (int) id;
            softmax(z, e * classes, classes, t, -1, ps);
            softmax(y, e * labelColumns + 1, classes, t, -1, pt);
            double sigma = ps[target];
            double b = pt[target];
            double tckd = kl(b, sigma) + kl(1 - b, 1 - sigma);
            double[] hatS = new double[classes];
            double[] hatT = new double[classes];
            softmax(z, e * classes, classes, t, target, hatS);
            softmax(y, e * labelColumns + 1, classes, t, target, hatT);
            double nckd = 0;
            for (int c = 0; c < classes; c++) {
                if (c != target) {
                    nckd += kl(hatT[c], hatS[c]);
                }
            }
            rowLoss[e] = t * t * (dkdAlpha * tckd + dkdBeta * nckd);
            double[] g = new double[classes];
            for (int c = 0; c < classes; c++) {
                double dT = c == target ? (sigma - b) / t : hatS[c] * (b - sigma) / t;
                double dN = c == target ? 0 : (hatS[c] - hatT[c]) / t;
                g[c] = t * t * (dkdAlpha * dT + dkdBeta * dN);
            }
            rowGradient[e] = g;
            counted++;
        }
        if (counted == 0) {
            return 0;
        }
        double total = 0;
        for (int e = 0; e < examples; e++) {
            if (rowGradient[e] == null) {
                continue;
            }
            total += rowLoss[e];
            for (int c = 0; c < classes; c++) {
                gradient.add(e * classes + c, dkdWeight * rowGradient[e][c] / counted);
            }
        }
        addPerExample(rowLoss, examples, 1, dkdWeight, perExample);
        return total / counted;
    }

    /** p log(p / q), 0 where p is 0. */
    private static double kl(double p, double q) {
        return p <= 0 ? 0 : p * Math.log(p / Math.max(q, 1e-300));
    }

    /** softmax(v / t) of {@code classes} consecutive values, leaving out class {@code skip} (-1: none) as 0. */
    private static void softmax(Values v, int start, int classes, double t, int skip, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            if (c != skip) {
                max = Math.max(max, v.get(start + c) / t);
            }
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            out[c] = c == skip ? 0 : Math.exp(v.get(start + c) / t - max);
            sum += out[c];
        }
        for (int c = 0; c < classes; c++) {
            out[c] /= sum;
        }
    }

    /** Adds each example's weighted mean of its rows (NaN rows left out) to {@code perExample}. */
    private static void addPerExample(double[] rowLoss, int examples, int pixels, double weight, double[] perExample) {
        for (int e = 0; e < examples; e++) {
            double sum = 0;
            int count = 0;
            for (int r = e * pixels; r < (e + 1) * pixels; r++) {
                if (!Double.isNaN(rowLoss[r])) {
                    sum += rowLoss[r];
                    count++;
                }
            }
            perExample[e] += count == 0 ? 0 : weight * sum / count;
        }
    }
}
