package io.distill4j.compress;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Level (magnitude) pruning: in each weighted layer, the smallest-magnitude fraction of the weights is set to zero
 * (biases are never pruned). The fraction is per layer: a layer's name, else its type ({@code conv}, {@code deconv},
 * {@code dense}), else the default. {@link MaskListener} re-applies the masks after every update while fine-tuning,
 * so pruned weights stay exactly zero.
 */
public final class LevelPruner {

    private final double sparsity;
    private final Map<String, Double> perLayer;
    private final boolean global;

    /** Per-layer pruning: every layer without an override loses the same fraction of its weights. */
    public LevelPruner(double sparsity, Map<String, Double> perLayer) {
        this(sparsity, perLayer, false);
    }

    /**
     * @param sparsity default fraction of weights to zero in each layer, in [0, 1)
     * @param perLayer overrides keyed by layer name or layer type (conv, deconv, dense), each in [0, 1)
     * @param global   the layers without an override share one magnitude threshold that zeroes {@code sparsity}
     *                 of their weights together (as {@code torch.nn.utils.prune.global_unstructured}), so large
     *                 layers give up more than the small ones a U-Net cannot do without (a 4→6 logits layer has 24
     *                 weights); false: each loses {@code sparsity} of its own
     */
    public LevelPruner(double sparsity, Map<String, Double> perLayer, boolean global) {
        check("sparsity", sparsity);
        perLayer.forEach((k, v) -> check("sparsity of " + k, v));
        this.sparsity = sparsity;
        this.perLayer = Map.copyOf(perLayer);
        this.global = global;
    }

    static void check(String what, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
        }
    }

    /** One layer's sparsity. */
    public record LayerSparsity(String layer, String type, long weights, long zeros) {
        public double sparsity() {
            return weights == 0 ? 0 : (double) zeros / weights;
        }
    }

    /** Per-layer and global sparsity of a graph's weights (exact zeros). */
    public record Report(List<LayerSparsity> layers) {
        public long weights() {
            return layers.stream().mapToLong(LayerSparsity::weights).sum();
        }

        public long zeros() {
            return layers.stream().mapToLong(LayerSparsity::zeros).sum();
        }

        public double global() {
            return weights() == 0 ? 0 : (double) zeros() / weights();
        }

        public String toMarkdown() {
            StringBuilder md = new StringBuilder("| layer | type | weights | zeros | sparsity |\n|---|---|---:|---:|---:|\n");
            for (LayerSparsity l : layers) {
                md.append(String.format(java.util.Locale.ROOT, "| %s | %s | %,d | %,d | %.3f |%n", l.layer(), l.type(),
                        l.weights(), l.zeros(), l.sparsity()));
            }
            md.append(String.format(java.util.Locale.ROOT, "| **all** | | %,d | %,d | %.3f |%n", weights(), zeros(),
                    global()));
            return md.toString();
        }
    }

    public static Report report(ComputationGraph graph) {
        List<LayerSparsity> layers = new ArrayList<>();
        for (String name : Layers.weighted(graph)) {
            INDArray w = Layers.weights(graph, name);
            long nonZero = w.neq(0).castTo(DataType.INT64).sumNumber().longValue();
            layers.add(new LayerSparsity(name, Layers.type(Layers.layerConf(graph.getConfiguration(), name)),
                    w.length(), w.length() - nonZero));
        }
        return new Report(layers);
    }

    /** The sparsity this pruner gives a layer (with global scope, the shared target of the layers without one). */
    public double sparsityOf(ComputationGraph graph, String layer) {
        Double s = override(graph, layer);
        return s != null ? s : sparsity;
    }

    private Double override(ComputationGraph graph, String layer) {
        Double s = perLayer.get(layer);
        return s != null ? s : perLayer.get(Layers.type(Layers.layerConf(graph.getConfiguration(), layer)));
    }

    /**
     * Zeroes the smallest weights of {@code graph} in place, scaled by {@code fraction} of each layer's target (1 =
     * the full target; less for the steps of gradual pruning), and returns the masks (1 = kept).
     */
    public Map<String, INDArray> prune(ComputationGraph graph, double fraction) {
        Map<String, INDArray> masks = new LinkedHashMap<>();
        List<String> shared = new ArrayList<>();
        for (String name : Layers.weighted(graph)) {
            Double own = override(graph, name);
            if (global && own == null) {
                shared.add(name);
            } else {
                INDArray w = Layers.weights(graph, name);
                masks.put(name, mask(w, threshold(magnitudes(List.of(w)), (own != null ? own : sparsity) * fraction)));
            }
        }
        if (!shared.isEmpty()) {
            List<INDArray> weights = shared.stream().map(name -> Layers.weights(graph, name)).toList();
            float threshold = threshold(magnitudes(weights), sparsity * fraction);
            for (int i = 0; i < shared.size(); i++) {
                masks.put(shared.get(i), mask(weights.get(i), threshold));
            }
        }
        Map<String, INDArray> ordered = new LinkedHashMap<>();
        for (String name : Layers.weighted(graph)) {
            ordered.put(name, masks.get(name));
        }
        return ordered;
    }

    /** |w| of all the arrays, ascending. */
    private static float[] magnitudes(List<INDArray> weights) {
        float[] all = new float[(int) weights.stream().mapToLong(INDArray::length).sum()];
        int at = 0;
        for (INDArray w : weights) {
            float[] values = w.castTo(DataType.FLOAT).dup().data().asFloat();
            for (float v : values) {
                all[at++] = Math.abs(v);
            }
        }
        Arrays.sort(all);
        return all;
    }

    /** The magnitude at or below which {@code target} of the sorted magnitudes fall; -1 (prune nothing) for none. */
    private static float threshold(float[] sorted, double target) {
        int k = (int) Math.floor(target * sorted.length);
        return k == 0 ? -1f : sorted[k - 1];
    }

    /** Zeroes the weights whose magnitude is at most {@code threshold}, in place; returns the mask (1 = kept). */
    private static INDArray mask(INDArray w, float threshold) {
        INDArray mask = org.nd4j.linalg.ops.transforms.Transforms.abs(w, true).gt(threshold).castTo(w.dataType());
        w.muli(mask);
        return mask;
    }

    /**
     * The sparsity fraction of step {@code step} (1-based) of {@code steps} in gradual pruning (Zhu and Gupta's cubic
     * schedule: fast at first, slower near the target).
     */
    public static double schedule(int step, int steps) {
        double t = (double) step / steps;
        return 1 - Math.pow(1 - t, 3);
    }

    /** Multiplies the weights by their masks after every update (and once when created). */
    public static final class MaskListener extends BaseTrainingListener {
        private final Map<String, INDArray> masks;

        public MaskListener(Map<String, INDArray> masks) {
            this.masks = Map.copyOf(masks);
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            ComputationGraph graph = (ComputationGraph) model;
            masks.forEach((layer, mask) -> Layers.weights(graph, layer).muli(mask));
        }
    }
}
