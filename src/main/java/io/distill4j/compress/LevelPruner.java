package io.distill4j.compress;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
            layers.add(new LayerSparsity(name, Layers.type(Layers.layerConf(graph.getConfiguration(), name)),
                    w.length(), Layers.zeros(w)));
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
                masks.put(name, prune(List.of(w), (own != null ? own : sparsity) * fraction).get(0));
            }
        }
        if (!shared.isEmpty()) {
            List<INDArray> weights = shared.stream().map(name -> Layers.weights(graph, name)).toList();
            List<INDArray> sharedMasks = prune(weights, sparsity * fraction);
            for (int i = 0; i < shared.size(); i++) {
                masks.put(shared.get(i), sharedMasks.get(i));
            }
        }
        Map<String, INDArray> ordered = new LinkedHashMap<>();
        for (String name : Layers.weighted(graph)) {
            ordered.put(name, masks.get(name));
        }
        return ordered;
    }

    /**
     * Zeroes exactly {@code floor(target · n)} of the {@code n} weights of the arrays together, in place: the smallest
     * magnitudes, ties broken by position (first array, first index first). A magnitude threshold alone would zero
     * every weight tied at it: a layer of equal magnitudes would lose all of its weights at any sparsity, and already
     * pruned zeros would count twice. Returns one mask per array (1 = kept).
     */
    static List<INDArray> prune(List<INDArray> weights, double target) {
        List<float[]> values = weights.stream().map(w -> w.castTo(DataType.FLOAT).dup('c').data().asFloat()).toList();
        int n = values.stream().mapToInt(v -> v.length).sum();
        float[] sorted = new float[n];
        int at = 0;
        for (float[] v : values) {
            for (float x : v) {
                sorted[at++] = Math.abs(x);
            }
        }
        Arrays.sort(sorted);
        int k = (int) Math.floor(target * n);
        float threshold = k == 0 ? -1f : sorted[k - 1];
        int below = 0;
        while (below < k && sorted[below] < threshold) {
            below++;
        }
        int tiesToPrune = k - below;
        List<INDArray> masks = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            float[] v = values.get(i);
            float[] keep = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                float m = Math.abs(v[j]);
                boolean pruned = m < threshold || (m == threshold && tiesToPrune > 0);
                if (m == threshold && pruned) {
                    tiesToPrune--;
                }
                keep[j] = pruned ? 0f : 1f;
            }
            INDArray w = weights.get(i);
            INDArray mask = Nd4j.create(keep, w.shape(), 'c').castTo(w.dataType());
            // values and mask are in logical (c) order; muli works element-wise whatever the view's own order
            w.muli(mask);
            masks.add(mask);
        }
        return masks;
    }

    /**
     * The sparsity fraction of step {@code step} (1-based) of {@code steps} in gradual pruning (Zhu and Gupta's cubic
     * schedule: fast at first, slower near the target).
     */
    public static double schedule(int step, int steps) {
        double t = (double) step / steps;
        return 1 - Math.pow(1 - t, 3);
    }

    /** Multiplies each layer's weights by its mask (1 = kept), in place. */
    public static void apply(ComputationGraph graph, Map<String, INDArray> masks) {
        masks.forEach((layer, mask) -> Layers.weights(graph, layer).muli(mask));
    }

    /** Multiplies the weights by their masks after every update. */
    public static final class MaskListener extends BaseTrainingListener {
        private final Map<String, INDArray> masks;

        public MaskListener(Map<String, INDArray> masks) {
            this.masks = Map.copyOf(masks);
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            apply((ComputationGraph) model, masks);
        }
    }
}
