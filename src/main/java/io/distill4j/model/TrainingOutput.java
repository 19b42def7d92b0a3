package io.distill4j.model;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.Supplier;

/**
 * A convolution layer's output from its last training forward pass, kept for its backward pass when the activation's
 * derivative can be read from it (the single-forward layers' shared state).
 */
final class TrainingOutput {
    private INDArray output;

    /** Keeps {@code output} when {@code training} and {@code activation} allows it; returns it. */
    INDArray keep(INDArray output, boolean training, IActivation activation) {
        this.output = training && derivativeFromOutput(activation) ? output : null;
        return output;
    }

    /**
     * What DL4J's backward pass asks {@code preOutput4d} for: the kept output when there is one (the derivative needs
     * nothing else from it), else DL4J's recomputed pre-activation.
     */
    Pair<INDArray, INDArray> forBackprop(boolean forBackprop, Supplier<Pair<INDArray, INDArray>> recompute) {
        return forBackprop && output != null ? new Pair<>(output, null) : recompute.get();
    }

    /** The kept output when {@code activation} is a plain ReLU (whose gradient it determines), else null. */
    INDArray keptReluOutput(IActivation activation) {
        return output != null && activation instanceof ActivationReLU ? output : null;
    }

    void clear() {
        output = null;
    }

    /**
     * Whether {@code activation}'s derivative can be read from its output in place of its input: the identity's
     * does not read its argument, and a ReLU without threshold, slope or cap has {@code output > 0} exactly where
     * {@code input > 0}. Inverted dropout applied in place to the output later only scales it by a positive factor or
     * zeroes it where the incoming gradient is zero too, so the product with that gradient is unchanged.
     */
    static boolean derivativeFromOutput(IActivation activation) {
        if (activation instanceof ActivationIdentity) {
            return true;
        }
        return activation instanceof ActivationReLU relu && isZeroOrUnset(relu.getThreshold())
                && isZeroOrUnset(relu.getNegativeSlope()) && relu.getMax() == null;
    }

    private static boolean isZeroOrUnset(Double value) {
        return value == null || value == 0.0;
    }
}
