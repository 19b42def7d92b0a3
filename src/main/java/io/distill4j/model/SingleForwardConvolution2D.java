package io.distill4j.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link ConvolutionLayer} whose backward pass does not run the convolution again. DL4J's backward pass
 * recomputes the layer's pre-activation only to apply the activation's derivative; for the identity (which ignores it)
 * and a plain ReLU (whose derivative is 1 exactly where its output is positive) the output of the training forward
 * pass serves instead. Any other activation takes DL4J's own path. Outputs, gradients and serialised form are DL4J's
 * (tested against the built-in layer, gradient-checked); a saved model keeps this class, and DL4J's own layer loads
 * as before.
 */
public class SingleForwardConvolution2D extends ConvolutionLayer {

    /** For JSON deserialization. */
    public SingleForwardConvolution2D() {
    }

    /** The layer {@code builder} describes, with this layer's backward pass. */
    public SingleForwardConvolution2D(ConvolutionLayer.Builder builder) {
        super(builder);
        // what DL4J's ConvolutionLayer.Builder.build() checks
        ConvolutionUtils.validateConvolutionModePadding(builder.getConvolutionMode(), builder.getPadding());
        ConvolutionUtils.validateCnnKernelStridePadding(builder.getKernelSize(), builder.getStride(),
                builder.getPadding());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNInNOutSet("SingleForwardConvolution2D", getLayerName(), layerIndex, getNIn(), getNOut());
        Impl layer = new Impl(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    /**
     * Whether {@code activation}'s derivative can be read from its output in place of its input: the identity's
     * does not read its argument, and a ReLU without threshold, slope or cap has {@code output > 0} exactly where
     * {@code input > 0}. Inverted dropout applied in place to the output later only scales it by a positive factor or
     * zeroes it where the gradient is zero too, so the product with the incoming gradient is unchanged.
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

    /** The running layer: keeps its training output for the backward pass. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        private INDArray trainingOutput;

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray output = super.activate(training, workspaceMgr);
            trainingOutput = training && derivativeFromOutput(layerConf().getActivationFn()) ? output : null;
            return output;
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                                                       LayerWorkspaceMgr workspaceMgr) {
            if (forBackprop && trainingOutput != null) {
                return new Pair<>(trainingOutput, null);
            }
            return super.preOutput4d(training, forBackprop, workspaceMgr);
        }

        @Override
        public void clear() {
            super.clear();
            trainingOutput = null;
        }
    }
}
