package io.distill4j.compress;

import io.distill4j.model.UNetFactory;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers compression works on: those with a weight matrix {@code W} (convolution, deconvolution, dense), in
 * topological order, and where their output channels are in {@code W}.
 */
public final class Layers {

    /** The weight parameter's key in DL4J's param tables. */
    public static final String WEIGHTS = "W";
    public static final String BIAS = "b";

    private Layers() {
    }

    /** Names of the layers with a weight matrix, in the graph's topological order. */
    public static List<String> weighted(ComputationGraph graph) {
        List<String> names = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (graph.getVertex(name).hasLayer() && isWeighted(layerConf(graph.getConfiguration(), name))) {
                names.add(name);
            }
        }
        return names;
    }

    static boolean isWeighted(Layer layer) {
        return layer instanceof ConvolutionLayer || layer instanceof DenseLayer;
    }

    /** The layer configuration of a vertex, or null if the vertex is not a layer. */
    public static Layer layerConf(ComputationGraphConfiguration conf, String name) {
        GraphVertex v = conf.getVertices().get(name);
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    /** Short type names used in per-layer settings: conv, deconv, dense. */
    public static String type(Layer layer) {
        if (layer instanceof Deconvolution2D) {
            return "deconv";
        }
        if (layer instanceof ConvolutionLayer) {
            return "conv";
        }
        if (layer instanceof DenseLayer) {
            return "dense";
        }
        return layer.getClass().getSimpleName();
    }

    /**
     * The axis of {@code W} that indexes output channels: 0 for convolutions ({@code [out, in, kH, kW]}), 1 for
     * DL4J's Deconvolution2D ({@code [in, out, kH, kW]}) and dense layers ({@code [in, out]}).
     */
    public static int outputAxis(Layer layer) {
        return layer instanceof ConvolutionLayer && !(layer instanceof Deconvolution2D) ? 0 : 1;
    }

    /** The axis of {@code W} that indexes input channels. */
    public static int inputAxis(Layer layer) {
        return 1 - outputAxis(layer);
    }

    public static INDArray weights(ComputationGraph graph, String layer) {
        return graph.getLayer(layer).getParam(WEIGHTS);
    }

    /** Whether a layer is the logits head (its outputs are the classes: never pruned, its activation never quantized). */
    public static boolean isLogits(String name) {
        return UNetFactory.LOGITS.equals(name);
    }

    static BaseLayer baseLayer(ComputationGraphConfiguration conf, String name) {
        return (BaseLayer) layerConf(conf, name);
    }

    /**
     * A new graph with the given configuration and a copy of {@code source}'s parameters (same structure). The
     * optimizer state starts fresh.
     */
    public static ComputationGraph withConfiguration(ComputationGraph source, ComputationGraphConfiguration conf) {
        return withParams(conf, source.params());
    }

    /** A new graph of {@code conf} holding a copy of {@code params} (its flat parameter vector); a fresh optimizer. */
    public static ComputationGraph withParams(ComputationGraphConfiguration conf, INDArray params) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(params.dup(), false);
        return graph;
    }

    /** How many elements of {@code w} are exactly zero. */
    public static long zeros(INDArray w) {
        return w.length() - w.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
    }

    /** Number of weights (not biases) in the weighted layers, and how many of them are exactly zero. */
    public static long[] weightCounts(ComputationGraph graph) {
        long total = 0;
        long zeros = 0;
        for (String name : weighted(graph)) {
            INDArray w = weights(graph, name);
            total += w.length();
            zeros += zeros(w);
        }
        return new long[]{total, zeros};
    }
}
