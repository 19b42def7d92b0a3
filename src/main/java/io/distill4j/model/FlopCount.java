package io.distill4j.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Analytic floating-point operation count of a network's forward pass, per image: 2 FLOPs (a multiply and an add)
 * per multiply-accumulate of the convolution, transposed-convolution and dense layers, the convention of
 * PyTorch's fvcore and of most papers. Element-wise work (bias, ReLU, dropout, pooling, concatenation, softmax) is
 * left out: it is a few percent of the FLOPs, though not of the time, which is what the benchmark shows.
 * A training step counts as 3× the forward pass (backward = gradients of inputs and of weights, each about one forward).
 *
 * @param perLayer forward FLOPs per image of each weighted layer, in the order the layers were added
 */
public record FlopCount(Map<String, Long> perLayer) {

    /** Backward costs about twice the forward pass: one pass for input gradients, one for weight gradients. */
    public static final int TRAINING_STEP_FACTOR = 3;

    /** The count for a network built from {@code spec}, at the spec's input size. */
    public static FlopCount of(UNetSpec spec) {
        return of(UNetFactory.configuration(spec),
                InputType.convolutional(spec.height(), spec.width(), spec.inputChannels()));
    }

    /** The count for a graph at a given input (DL4J configurations do not keep their input type). */
    public static FlopCount of(ComputationGraph graph, InputType input) {
        return of(graph.getConfiguration(), input);
    }

    public static FlopCount of(ComputationGraphConfiguration conf, InputType input) {
        Map<String, InputType> outputTypes = conf.getLayerActivationTypes(input);
        Map<String, Long> perLayer = new LinkedHashMap<>();
        // vertices in the order they were added (the topological order exists only once a graph is initialised)
        for (Map.Entry<String, GraphVertex> entry : conf.getVertices().entrySet()) {
            String name = entry.getKey();
            GraphVertex vertex = entry.getValue();
            if (!(vertex instanceof LayerVertex layerVertex)) {
                continue;
            }
            Layer layer = layerVertex.getLayerConf().getLayer();
            InputType out = outputTypes.get(name);
            long flops = 0;
            if (layer instanceof Deconvolution2D deconv) {
                // each input pixel scatters a kh×kw×nOut patch: MACs = kh·kw·nIn·nOut·Hin·Win
                InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional)
                        outputTypes.get(conf.getVertexInputs().get(name).get(0));
                long[] k = kernel(deconv.getKernelSize());
                flops = 2L * k[0] * k[1] * deconv.getNIn() * deconv.getNOut() * in.getHeight() * in.getWidth();
            } else if (layer instanceof ConvolutionLayer conv) {
                InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) out;
                long[] k = kernel(conv.getKernelSize());
                flops = 2L * k[0] * k[1] * conv.getNIn() * conv.getNOut() * o.getHeight() * o.getWidth();
            } else if (layer instanceof DenseLayer dense) {
                flops = 2L * dense.getNIn() * dense.getNOut();
            }
            if (flops > 0) {
                perLayer.put(name, flops);
            }
        }
        return new FlopCount(java.util.Collections.unmodifiableMap(perLayer));
    }

    private static long[] kernel(int[] kernelSize) {
        return new long[]{kernelSize[0], kernelSize[1]};
    }

    /** Forward-pass FLOPs per image. */
    public long forward() {
        return perLayer.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Training-step FLOPs per image (forward + backward). */
    public long trainingStep() {
        return TRAINING_STEP_FACTOR * forward();
    }
}
