package io.distill4j.search;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The REINFORCE loss {@code -Σ_k y_k log π_k} for labels {@code y = A · onehot(a)} that carry the advantage
 * {@code A = R - b} of the action taken, of either sign. Its gradient with respect to the softmax's input is
 * {@code π Σ_k y_k - y = A (π - onehot(a))}, i.e. minimising it ascends {@code A ∇ log π(a)}.
 *
 * <p>DL4J's {@code LossMCXENT} cannot be used: with a softmax it returns {@code π - y}, which equals the above only
 * when the labels sum to 1; with {@code A ≠ 1} it is off by {@code (1 - A) π} and for a negative advantage it even
 * pushes the taken action's probability the wrong way.
 */
public final class PolicyGradientLoss implements ILossFunction {

    private static final double EPS = 1e-10;

    private INDArray scoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        INDArray score = Transforms.log(Transforms.max(output, EPS, false), false).muli(labels);
        if (mask != null) {
            LossUtil.applyMask(score, mask);
        }
        return score;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        INDArray score = scoreArray(labels, preOutput, activationFn, mask);
        double sum = -score.sumNumber().doubleValue();
        return average ? sum / score.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return scoreArray(labels, preOutput, activationFn, mask).sum(true, 1).negi();
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        INDArray gradient;
        if (activationFn instanceof ActivationSoftmax) {
            // dL/dz = π Σ_k y_k - y, exact for labels of any sum
            gradient = output.mulColumnVector(labels.sum(true, 1)).subi(labels);
        } else {
            INDArray dLdOut = labels.div(Transforms.max(output, EPS, true)).negi();
            gradient = activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
        }
        if (mask != null) {
            LossUtil.applyMask(gradient, mask);
        }
        return gradient;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "PolicyGradientLoss";
    }

    @Override
    public String toString() {
        return name();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyGradientLoss;
    }

    @Override
    public int hashCode() {
        return PolicyGradientLoss.class.hashCode();
    }
}
