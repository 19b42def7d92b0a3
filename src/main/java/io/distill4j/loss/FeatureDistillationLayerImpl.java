package io.distill4j.loss;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The running layer of {@link FeatureDistillationLayer}. Forward passes its input through (it is never used for
 * predictions); the loss and its gradient are computed in double on the heap, like the output layer's.
 */
public class FeatureDistillationLayerImpl extends LossLayerImpl<FeatureDistillationLayer> {

    /** Weighted mean loss, gradient of it with respect to the input, and per-example weighted losses. */
    record Result(double meanLoss, Values gradient, double[] perExample) {
    }

    public FeatureDistillationLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected void labelsChanged() {
        // nothing cached
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input.dup());
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        Result result = compute();
        // DL4J's convention: the gradient of N times the mean
        INDArray gradient = result.gradient().toArray(input.shape(), input.dataType()).muli(input.size(0));
        return new Pair<>(new DefaultGradient(), workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, gradient));
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        score = compute().meanLoss() + fullNetRegTerm;
        return score;
    }

    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        INDArray scores = Nd4j.createFromArray(compute().perExample()).castTo(input.dataType())
                .reshape(input.size(0), 1).addi(fullNetRegTerm);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, scores);
    }

    Result compute() {
        if (labels == null) {
            throw new IllegalStateException("Labels (the teacher's tensor) are not set on " + layerId());
        }
        FeatureDistillationLayer conf = layerConf();
        long[] in = input.shape();
        long[] lab = labels.shape();
        int n = (int) in[0];
        int c = (int) in[1];
        int pixels = (int) (in[2] * in[3]);
        long expectedChannels = conf.getKind() == FeatureLoss.ATTENTION ? 1 : c;
        if (lab.length != 4 || lab[0] != in[0] || lab[1] != expectedChannels || lab[2] != in[2] || lab[3] != in[3]) {
            throw new IllegalArgumentException("teacher tensor of shape " + Arrays.toString(lab) + " does not fit the"
                    + " student's " + Arrays.toString(in) + " in " + layerId() + " (" + conf.getKind() + "): expected ["
                    + in[0] + ", " + expectedChannels + ", " + in[2] + ", " + in[3] + "]");
        }
        Values s = Values.of(input);
        Values t = Values.of(labels);
        Values gradient = s.zerosLike();
        double[] perExample = new double[n];
        double weight = conf.getWeight();
        double mean = switch (conf.getKind()) {
            case ATTENTION -> attention(s, t, n, c, pixels, conf.getP(), weight, gradient, perExample);
            case MSE -> mse(s, t, n, c * pixels, weight, gradient, perExample);
            case CHANNEL_WISE -> ChannelWise.loss(s, t, 0, c, n, c, pixels, conf.getTau(), gradient, weight,
                    perExample);
        };
        return new Result(weight * mean, gradient, perExample);
    }

    /**
     * Mean over examples of {@code ‖Q_s − Q_t‖²} with {@code Q = a/‖a‖}, {@code a = Σ_c |A_c|^p}. With
     * {@code g = 2 (Q_s − Q_t)}: {@code ∂/∂a = (g − Q_s (Q_s·g)) / ‖a‖} and {@code ∂a/∂A_c = p |A_c|^(p−1) sign(A_c)}.
     */
    private static double attention(Values s, Values t, int n, int c, int pixels, double p, double weight,
                                    Values gradient, double[] perExample) {
        double total = 0;
        for (int e = 0; e < n; e++) {
            double[] a = AttentionMaps.raw(s, e, c, pixels, p);
            double norm = AttentionMaps.norm(a);
            double[] g = new double[pixels];
            double loss = 0;
            double qDotG = 0;
            for (int i = 0; i < pixels; i++) {
                double q = a[i] / norm;
                double d = q - t.get(e * pixels + i);
                loss += d * d;
                g[i] = 2 * d;
                qDotG += q * g[i];
            }
            total += loss;
            perExample[e] += weight * loss;
            for (int i = 0; i < pixels; i++) {
                double dA = (g[i] - a[i] / norm * qDotG) / norm;
                for (int ch = 0; ch < c; ch++) {
                    int at = (e * c + ch) * pixels + i;
                    double v = s.get(at);
                    double dv = p * Math.pow(Math.abs(v), p - 1) * Math.signum(v);
                    gradient.add(at, weight * dA * dv / n);
                }
            }
        }
        return total / n;
    }

    /** Mean over examples of the mean squared difference per element. */
    private static double mse(Values s, Values t, int n, int perExampleCount, double weight, Values gradient,
                              double[] perExample) {
        double total = 0;
        for (int e = 0; e < n; e++) {
            double loss = 0;
            for (int i = e * perExampleCount; i < (e + 1) * perExampleCount; i++) {
                double d = s.get(i) - t.get(i);
                loss += d * d;
                gradient.add(i, weight * 2 * d / ((double) perExampleCount * n));
            }
            loss /= perExampleCount;
            total += loss;
            perExample[e] += weight * loss;
        }
        return total / n;
    }
}
