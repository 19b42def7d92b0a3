package io.distill4j.model;

import io.distill4j.util.LayerInstances;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link ConvolutionLayer} whose backward pass does not run the convolution again. DL4J's backward pass
 * recomputes the layer's pre-activation only to apply the activation's derivative; for the identity (which ignores it)
 * and a plain ReLU (whose derivative is 1 exactly where its output is positive) the output of the training forward
 * pass serves instead. Any other activation takes DL4J's own path. Outputs, gradients and serialised form are DL4J's
 * (tested against the built-in layer, gradient-checked); a saved model keeps this class, and DL4J's own layer loads
 * as before. On float NCHW input on ND4J's CPU backend the convolution itself runs as distill4j's own oneDNN
 * primitives ({@link OneDnnConvolution}: built once per input shape, channels-last, direct algorithm) instead of
 * libnd4j's {@code conv2d} ops; double precision and anything else takes DL4J's path. A layer reading this one's
 * output may change it in place (DL4J allows that when it is the only reader) only in ways that keep each value's
 * sign where the gradient flows: DL4J's inverted {@code Dropout} does; additive noise ({@code GaussianNoise}) on the
 * next layer's input would not, so do not combine it with a ReLU here.
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
        return LayerInstances.wire(new Impl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** The running layer: keeps its training output for the backward pass. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        private final TrainingOutput trainingOutput = new TrainingOutput();
        /** Built on first use: a double network never loads oneDNN. */
        private OneDnnConvolution oneDnnConvolution;

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

        /** Whether this layer's convolution runs as {@link OneDnnConvolution} on its current input. */
        boolean runsOnOneDnn() {
            return oneDnnGeometry() != null;
        }

        /** The convolution's oneDNN geometry on the current input, or null when DL4J's path runs. */
        private OneDnnConvolution.Geometry oneDnnGeometry() {
            return OneDnnConvolution.geometryIfComputed(layerConf(), input, dataType);
        }

        private OneDnnConvolution oneDnnConvolution() {
            if (oneDnnConvolution == null) {
                oneDnnConvolution = new OneDnnConvolution();
            }
            return oneDnnConvolution;
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                     LayerWorkspaceMgr workspaceMgr) {
            OneDnnConvolution.Geometry geometry = oneDnnGeometry();
            if (geometry == null) {
                return super.preOutput(training, forBackprop, workspaceMgr); // and its errors
            }
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            INDArray bias = layerConf().hasBias()
                    ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
            INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                    geometry.dst(), 'c');
            oneDnnConvolution().forward(geometry, NativeArrays.contiguous(input), weights, bias, output,
                    floats -> workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, floats));
            return new Pair<>(output, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            OneDnnConvolution.Geometry geometry = oneDnnGeometry();
            if (geometry == null) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray floatEpsilon = epsilon.castTo(DataType.FLOAT);
            INDArray delta = trainingOutput.keptReluOutput(layerConf().getActivationFn());
            if (delta != null && NativeArrays.isContiguous(delta)) {
                oneDnnConvolution().reluGradient(geometry, delta, NativeArrays.contiguous(floatEpsilon));
            } else {
                delta = layerConf().getActivationFn()
                        .backprop(preOutput4d(true, true, workspaceMgr).getFirst(), floatEpsilon).getFirst();
            }
            INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray biasGrad = layerConf().hasBias()
                    ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
            INDArray inputGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                    input.shape(), 'c');
            oneDnnConvolution().backward(geometry, NativeArrays.contiguous(input), weights,
                    NativeArrays.contiguous(delta), inputGrad, weightGrad, biasGrad,
                    floats -> workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, floats));

            Gradient gradient = new DefaultGradient();
            if (biasGrad != null) {
                gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGrad);
            }
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
            weightNoiseParams.clear();
            return new Pair<>(gradient, backpropDropOutIfPresent(inputGrad));
        }

        @Override
        public void clear() {
            super.clear();
            trainingOutput.clear();
        }
    }
}
