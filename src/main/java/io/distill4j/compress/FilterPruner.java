package io.distill4j.compress;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Structured pruning: removes whole output filters (the ones with the smallest L1 norm of their weights) from every
 * convolution and deconvolution except the logits, and builds a genuinely smaller {@link ComputationGraph}: the same
 * vertices with smaller {@code nOut}, and each consumer's {@code nIn} reduced to the channels that survive in its
 * input. Channels are followed through the graph, so the U-Net's skip connections stay consistent: a decoder's merge
 * concatenates {@code dec{i}_up} and {@code enc{i}_conv2}, so {@code dec{i}_conv1} keeps the surviving channels of
 * both, at their offsets in the concatenation. The surviving weights and biases are copied; the optimizer state
 * starts fresh. With one ratio for all layers the result is the {@code UNetFactory} network with
 * {@code filters[i] - round(filters[i] · ratio)} filters per block.
 */
public final class FilterPruner {

    private final double ratio;

    /** @param ratio fraction of each layer's filters to remove, in [0, 1) */
    public FilterPruner(double ratio) {
        LevelPruner.check("filter ratio", ratio);
        this.ratio = ratio;
    }

    /** Filters kept per pruned layer (original channel indices, ascending) and the new graph. */
    public record Result(ComputationGraph graph, Map<String, int[]> kept, Map<String, Long> originalFilters) {
    }

    /** Builds the pruned copy of {@code source} (which is not modified). */
    public Result prune(ComputationGraph source) {
        ComputationGraphConfiguration conf = source.getConfiguration().clone();
        List<String> weighted = Layers.weighted(source);
        Map<String, int[]> kept = new LinkedHashMap<>();
        Map<String, Long> original = new LinkedHashMap<>();
        for (String name : weighted) {
            if (Layers.isLogits(name)) {
                continue;
            }
            Layer layer = Layers.layerConf(conf, name);
            INDArray w = Layers.weights(source, name);
            int axis = Layers.outputAxis(layer);
            int filters = (int) w.size(axis);
            int keep = filters - (int) Math.round(filters * ratio);
            if (keep < 1) {
                throw new IllegalArgumentException("filter ratio " + ratio + " would remove every filter of layer "
                        + name + " (" + filters + " filters); use a smaller ratio");
            }
            kept.put(name, strongest(w, axis, keep));
            original.put(name, (long) filters);
        }

        // channels (indices into the source's output) that survive at the output of every vertex, in topological order
        Map<String, int[]> channels = new LinkedHashMap<>();
        Map<String, Long> width = new LinkedHashMap<>();
        for (int index : source.topologicalSortOrder()) {
            String name = source.getVertices()[index].getVertexName();
            if (source.getVertex(name).isInputVertex()) {
                continue;
            }
            List<String> inputs = conf.getVertexInputs().get(name);
            GraphVertex vertex = conf.getVertices().get(name);
            if (vertex instanceof MergeVertex) {
                List<Integer> merged = new ArrayList<>();
                long offset = 0;
                for (String in : inputs) {
                    for (int c : channelsOf(in, channels, width, source)) {
                        merged.add((int) (offset + c));
                    }
                    offset += widthOf(in, width, source);
                }
                channels.put(name, merged.stream().mapToInt(Integer::intValue).toArray());
                width.put(name, offset);
            } else if (vertex instanceof LayerVertex && Layers.isWeighted(Layers.layerConf(conf, name))) {
                FeedForwardLayer layer = (FeedForwardLayer) Layers.layerConf(conf, name);
                int[] in = channelsOf(inputs.get(0), channels, width, source);
                layer.setNIn(in.length);
                long outWidth = Layers.weights(source, name).size(Layers.outputAxis(layer));
                int[] out = kept.containsKey(name) ? kept.get(name) : IntStream.range(0, (int) outWidth).toArray();
                layer.setNOut(out.length);
                channels.put(name, out);
                width.put(name, outWidth);
            } else if (inputs != null && inputs.size() == 1) {
                // dropout, pooling, global pooling, the output layer: channels pass through unchanged
                channels.put(name, channelsOf(inputs.get(0), channels, width, source));
                width.put(name, widthOf(inputs.get(0), width, source));
            } else {
                throw new IllegalArgumentException("filter pruning does not know how channels flow through vertex "
                        + name + " (" + vertex.getClass().getSimpleName() + ")");
            }
        }

        ComputationGraph pruned = new ComputationGraph(conf);
        pruned.init();
        for (String name : weighted) {
            Layer layer = Layers.layerConf(conf, name);
            int[] in = channelsOf(conf.getVertexInputs().get(name).get(0), channels, width, source);
            int[] out = channels.get(name);
            INDArray w = Layers.weights(source, name);
            INDArray surviving = select(select(w, Layers.outputAxis(layer), out), Layers.inputAxis(layer), in);
            Layers.weights(pruned, name).assign(surviving);
            INDArray b = source.getLayer(name).getParam(Layers.BIAS);
            if (b != null) {
                INDArray target = pruned.getLayer(name).getParam(Layers.BIAS);
                target.assign(b.reshape(b.length()).get(NDArrayIndex.indices(toLong(out))).reshape(target.shape()));
            }
        }
        return new Result(pruned, kept, original);
    }

    /** The slices {@code indices} of {@code a} along {@code axis}, as a new array. */
    static INDArray select(INDArray a, int axis, int[] indices) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        Arrays.fill(idx, NDArrayIndex.all());
        idx[axis] = NDArrayIndex.indices(toLong(indices));
        return a.dup('c').get(idx).dup('c');
    }

    /** Indices of the {@code keep} output channels with the largest L1 norm, ascending. */
    static int[] strongest(INDArray w, int axis, int keep) {
        int filters = (int) w.size(axis);
        int[] others = IntStream.range(0, w.rank()).filter(d -> d != axis).toArray();
        double[] l1 = org.nd4j.linalg.ops.transforms.Transforms.abs(w, true).sum(others)
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        return IntStream.range(0, filters).boxed()
                .sorted(Comparator.<Integer>comparingDouble(c -> -l1[c]).thenComparingInt(c -> c))
                .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
    }

    private static int[] channelsOf(String vertex, Map<String, int[]> channels, Map<String, Long> width,
                                    ComputationGraph source) {
        int[] c = channels.get(vertex);
        return c != null ? c : IntStream.range(0, (int) widthOf(vertex, width, source)).toArray();
    }

    /** Channels of a vertex's output in the source graph (for the input vertex: the image channels). */
    private static long widthOf(String vertex, Map<String, Long> width, ComputationGraph source) {
        Long w = width.get(vertex);
        if (w != null) {
            return w;
        }
        // an input vertex: as many channels as the weights of a layer reading it directly expect
        for (Map.Entry<String, List<String>> e : source.getConfiguration().getVertexInputs().entrySet()) {
            Layer layer = Layers.layerConf(source.getConfiguration(), e.getKey());
            if (e.getValue().size() == 1 && e.getValue().get(0).equals(vertex) && layer != null && Layers.isWeighted(layer)) {
                return Layers.weights(source, e.getKey()).size(Layers.inputAxis(layer));
            }
        }
        throw new IllegalArgumentException("cannot tell the channel count of " + vertex);
    }

    private static long[] toLong(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }
}
