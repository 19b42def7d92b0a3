package io.distill4j.model;

import io.distill4j.util.LayerInstances;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.params.DeconvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link Deconvolution2D} whose backward pass does not run the transposed convolution again, for the same
 * reason and activations as {@link SingleForwardConvolution2D}; the U-Nets' up-sampling is linear, so DL4J recomputed
 * each one in every training step for a derivative that does not read it. A 2×2 stride-2 layer without padding (the
 * U-Nets' up-sampling) runs as matrix products and a pixel shuffle ({@link PixelShuffleDeconvolution}) instead of
 * libnd4j's {@code deconv2d} ops; any other takes DL4J's path.
 */
public class SingleForwardDeconvolution2D extends Deconvolution2D {

    /** For JSON deserialization. */
    public SingleForwardDeconvolution2D() {
    }

    /** The layer {@code builder} describes, with this layer's backward pass. */
    public SingleForwardDeconvolution2D(Deconvolution2D.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNInNOutSet("SingleForwardDeconvolution2D", getLayerName(), layerIndex, getNIn(),
                getNOut());
        return LayerInstances.wire(new Impl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** The running layer: keeps its training output for the backward pass. */
    public static class Impl extends Deconvolution2DLayer {
        private final TrainingOutput trainingOutput = new TrainingOutput();

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            return trainingOutput.keep(super.activate(training, workspaceMgr), training,
                    layerConf().getActivationFn());
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                                                       LayerWorkspaceMgr workspaceMgr) {
            return trainingOutput.forBackprop(forBackprop,
                    () -> super.preOutput4d(training, forBackprop, workspaceMgr));
        }

        /** Whether this layer runs as {@link PixelShuffleDeconvolution} on its input (float or double; else DL4J). */
        boolean pixelShuffled() {
            return PixelShuffleDeconvolution.computes((Deconvolution2D) conf().getLayer()) && input != null
                    && (input.dataType() == DataType.FLOAT || input.dataType() == DataType.DOUBLE)
                    && input.dataType() == dataType;
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                     LayerWorkspaceMgr workspaceMgr) {
            INDArray weights = getParamWithNoise(DeconvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            if (!pixelShuffled() || input.rank() != 4 || input.size(1) != weights.size(0)) {
                return super.preOutput(training, forBackprop, workspaceMgr); // and its errors
            }
            INDArray bias = layerConf().hasBias()
                    ? getParamWithNoise(DeconvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
            long n = input.size(0);
            long height = input.size(2);
            long width = input.size(3);
            long nOut = weights.size(1);
            INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(),
                    new long[]{n, nOut, 2 * height, 2 * width}, 'c');
            INDArray products = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, input.dataType(),
                    new long[]{n, 4 * nOut, height * width}, 'c');
            PixelShuffleDeconvolution.forward(input, weights, bias, output, products);
            return new Pair<>(output, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!pixelShuffled()) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            INDArray weights = getParamWithNoise(DeconvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray delta = layerConf().getActivationFn()
                    .backprop(preOutput4d(true, true, workspaceMgr).getFirst(), epsilon).getFirst();
            INDArray weightGrad = gradientViews.get(DeconvolutionParamInitializer.WEIGHT_KEY);
            INDArray biasGrad = layerConf().hasBias() ? gradientViews.get(DeconvolutionParamInitializer.BIAS_KEY) : null;
            INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, weights.dataType(),
                    input.shape(), 'c');
            INDArray products = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, weights.dataType(),
                    new long[]{input.size(0), 4 * weights.size(1), input.size(2) * input.size(3)}, 'c');
            PixelShuffleDeconvolution.backward(input, weights, delta, inputGrad, weightGrad, biasGrad, products);

            Gradient gradient = new DefaultGradient();
            if (biasGrad != null) {
                gradient.setGradientFor(DeconvolutionParamInitializer.BIAS_KEY, biasGrad);
            }
            gradient.setGradientFor(DeconvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
            weightNoiseParams.clear();
            return new Pair<>(gradient, inputGrad);
        }

        @Override
        public void clear() {
            super.clear();
            trainingOutput.clear();
        }
    }
}
