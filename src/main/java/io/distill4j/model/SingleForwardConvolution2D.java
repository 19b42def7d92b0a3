package io.distill4j.model;

import io.distill4j.util.LayerInstances;
import io.distill4j.util.NativeArrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * DL4J's {@link ConvolutionLayer} whose backward pass does not run the convolution again. DL4J's backward pass
 * recomputes the layer's pre-activation only to apply the activation's derivative; for the identity (which ignores it)
 * and a plain ReLU (whose derivative is 1 exactly where its output is positive) the output of the training forward
 * pass serves instead. Any other activation takes DL4J's own path. Outputs, gradients and serialised form are DL4J's
 * (tested against the built-in layer, gradient-checked); a saved model keeps this class, and DL4J's own layer loads
 * as before. On float NCHW input on ND4J's CPU backend the convolution itself runs as distill4j's own oneDNN
 * primitives ({@link OneDnnConvolution}: built once per input shape, channels-last, direct algorithm) instead of
 * libnd4j's {@code conv2d} ops, with a plain ReLU applied inside oneDNN's kernel rather than as DL4J's separate pass,
 * and at inference, where {@link #isChannelsLastOutput()} says so, an output handed on channels-last (an NCHW-shaped
 * view) to the next convolution; double precision and anything else takes DL4J's path. A layer reading this one's
 * output may change it in place (DL4J allows that when it is the only reader) only in ways that keep each value's
 * sign where the gradient flows: DL4J's inverted {@code Dropout} does; additive noise ({@code GaussianNoise}) on the
 * next layer's input would not, so do not combine it with a ReLU here.
 */
public class SingleForwardConvolution2D extends ConvolutionLayer {
    /**
     * Whether, at inference, the output is handed on as an NCHW-shaped view of channels-last memory, which the next
     * layer reads without a conversion when it is another of these convolutions (the first convolution of a U-Net
     * block feeding the second). Values are the same either way; any other reader gets a strided view.
     */
    private boolean channelsLastOutput;

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

    /** {@link #channelsLastOutput}: for a layer whose only reader is another of these convolutions. */
    public SingleForwardConvolution2D channelsLastOutput(boolean channelsLastOutput) {
        this.channelsLastOutput = channelsLastOutput;
        return this;
    }

    /**
     * Sets {@link #channelsLastOutput} on each of these convolutions in {@code conf} whose only reader is another of
     * them and which is not an output of the graph (a U-Net block's first convolution); returns {@code conf}.
     */
    public static ComputationGraphConfiguration handOnChannelsLast(ComputationGraphConfiguration conf) {
        handOnChannelsLast(conf, name -> conf.getVertices().get(name) instanceof LayerVertex v
                ? v.getLayerConf().getLayer() : null);
        return conf;
    }

    /** As {@link #handOnChannelsLast(ComputationGraphConfiguration)} on the running layers of {@code graph}. */
    public static ComputationGraph handOnChannelsLast(ComputationGraph graph) {
        handOnChannelsLast(graph.getConfiguration(), name -> {
            var vertex = graph.getVertex(name);
            return vertex != null && vertex.hasLayer() ? vertex.getLayer().conf().getLayer() : null;
        });
        return graph;
    }

    private static void handOnChannelsLast(ComputationGraphConfiguration conf,
                                           Function<String, org.deeplearning4j.nn.conf.layers.Layer> layerOf) {
        Map<String, List<String>> readers = new HashMap<>();
        conf.getVertexInputs().forEach((vertex, inputs) -> inputs.forEach(
                input -> readers.computeIfAbsent(input, k -> new ArrayList<>()).add(vertex)));
        for (String name : conf.getVertices().keySet()) {
            List<String> of = readers.getOrDefault(name, List.of());
            if (layerOf.apply(name) instanceof SingleForwardConvolution2D conv && of.size() == 1
                    && !conf.getNetworkOutputs().contains(name)
                    && layerOf.apply(of.get(0)) instanceof SingleForwardConvolution2D) {
                conv.channelsLastOutput(true);
            }
        }
    }

    public boolean isChannelsLastOutput() {
        return channelsLastOutput;
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
            IActivation activation = layerConf().getActivationFn();
            OneDnnConvolution.Geometry geometry = oneDnnGeometry();
            if (!TrainingOutput.derivativeFromOutput(activation) || geometry == null
                    || (cacheMode != null && cacheMode != CacheMode.NONE)) {
                return trainingOutput.keep(super.activate(training, workspaceMgr), training, activation);
            }
            // DL4J's activate without its separate activation pass: oneDNN applies the ReLU in the convolution
            // (dropout below replaces the input by one of the same shape, so the geometry holds)
            assertInputSet(false);
            applyDropOutIfNecessary(training, workspaceMgr);
            boolean channelsLastOutput = !training && ((SingleForwardConvolution2D) layerConf()).isChannelsLastOutput();
            return trainingOutput.keep(oneDnnForward(geometry, activation instanceof ActivationReLU,
                    channelsLastOutput, training, workspaceMgr), training, activation);
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
            return new Pair<>(oneDnnForward(geometry, false, false, training, workspaceMgr), null);
        }

        /**
         * The convolution of the current input on oneDNN, with a ReLU when {@code relu}, into the workspace's
         * activations, as an NCHW view of channels-last memory when {@code channelsLastOutput}; an input that is such
         * a view is read as one.
         */
        private INDArray oneDnnForward(OneDnnConvolution.Geometry geometry, boolean relu, boolean channelsLastOutput,
                                       boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            INDArray bias = layerConf().hasBias()
                    ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
            boolean channelsLastInput = !NativeArrays.isContiguous(input) && NativeArrays.isChannelsLast(input);
            OneDnnConvolution.Forward how = new OneDnnConvolution.Forward(relu, channelsLastInput, channelsLastOutput);
            long[] dst = geometry.dst();
            INDArray output = how.channelsLastOutput()
                    ? workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                            new long[]{dst[0], dst[2], dst[3], dst[1]}, 'c').permute(0, 3, 1, 2)
                    : workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, dst, 'c');
            oneDnnConvolution().forward(geometry, how, channelsLastInput ? input : NativeArrays.contiguous(input),
                    weights, bias, output,
                    floats -> workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, floats));
            return output;
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
