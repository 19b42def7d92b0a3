package io.distill4j.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A generalised U-Net: any number of levels, each with its own widths, and each block's second convolution
 * optional. {@link UNetSpec}'s filter list is the special case "every level conv1 = conv2 = filters[i], decoder
 * the same". Level {@code i} (shallow to deep) has an encoder block and, for every level but the deepest and only for
 * segmentation, a decoder block whose 2x2 up-convolution gets the width of the level's skip (the encoder block's
 * output), so a skip concatenation always joins two tensors of the same width. Removing a level removes its encoder
 * block, its decoder block and its skip together, so the graph stays a U-Net.
 *
 * <p>Serialised as YAML under {@code student.architecture} of a run config; a missing {@code conv2} is a removed one.
 *
 * @param levels shallow to deep; the deepest level (the bottleneck) has no decoder
 */
public record UNetArchitecture(List<Level> levels) {

    /**
     * Conv3x3 → (dropout) → Conv3x3.
     *
     * @param conv1   width of the first convolution
     * @param conv2   width of the second convolution, or null when it is removed
     * @param dropout Keras-style rate (fraction dropped) on conv2's input; unused without conv2
     */
    public record Block(int conv1, Integer conv2, double dropout) {
        public Block {
            if (conv1 < 1 || (conv2 != null && conv2 < 1)) {
                throw new IllegalArgumentException("block widths must be >= 1, got conv1 " + conv1 + ", conv2 " + conv2);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
            }
        }

        /** The block's output width. */
        @JsonIgnore
        public int outWidth() {
            return conv2 != null ? conv2 : conv1;
        }

        public Block withoutConv2() {
            return new Block(conv1, null, dropout);
        }

        public Block withWidths(int newConv1, Integer newConv2) {
            return new Block(newConv1, newConv2, dropout);
        }

        String describe() {
            return conv1 + "/" + (conv2 == null ? "-" : conv2);
        }
    }

    /**
     * @param encoder the encoder block
     * @param decoder the decoder block (segmentation, not the deepest level), else null
     */
    public record Level(Block encoder, Block decoder) {
        public Level {
            if (encoder == null) {
                throw new IllegalArgumentException("every level needs an encoder block");
            }
        }
    }

    public UNetArchitecture {
        if (levels == null || levels.isEmpty()) {
            throw new IllegalArgumentException("a U-Net architecture needs at least one level");
        }
        levels = List.copyOf(levels);
        if (levels.get(levels.size() - 1).decoder() != null) {
            throw new IllegalArgumentException("the deepest level (the bottleneck) has no decoder block: " + levels);
        }
        boolean decoders = levels.size() > 1 && levels.get(0).decoder() != null;
        for (int i = 0; i < levels.size() - 1; i++) {
            if ((levels.get(i).decoder() != null) != decoders) {
                throw new IllegalArgumentException("either every level above the bottleneck has a decoder block"
                        + " (segmentation) or none has (classification); level " + (i + 1) + " differs: " + levels);
            }
        }
    }

    /** The architecture {@link UNetFactory#build(UNetSpec)} builds for a spec. */
    public static UNetArchitecture of(UNetSpec spec) {
        int blocks = spec.filters().size();
        boolean segmentation = spec.task() == io.distill4j.data.Task.SEGMENTATION;
        List<Level> levels = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            int f = spec.filters().get(i);
            Block decoder = segmentation && i < blocks - 1
                    ? new Block(f, f, spec.decoderDropout().get(blocks - 2 - i)) : null;
            levels.add(new Level(new Block(f, f, spec.encoderDropout().get(i)), decoder));
        }
        return new UNetArchitecture(levels);
    }

    /**
     * Reads the architecture of a network built by {@link UNetFactory} from its layer names and widths.
     *
     * @throws IllegalArgumentException if the graph is not one of distill4j's U-Nets
     */
    public static UNetArchitecture of(ComputationGraph graph) {
        if (graph.getConfiguration().getVertices().get("enc1_conv1") == null
                || graph.getConfiguration().getVertices().get(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException("not a distill4j U-Net: it has no enc1_conv1 or " + UNetFactory.LOGITS
                    + " layer (layers: " + graph.getConfiguration().getVertices().keySet() + ")");
        }
        List<Level> levels = new ArrayList<>();
        for (int i = 1; graph.getConfiguration().getVertices().containsKey("enc" + i + "_conv1"); i++) {
            levels.add(new Level(block(graph, "enc" + i), block(graph, "dec" + i)));
        }
        return new UNetArchitecture(levels);
    }

    private static Block block(ComputationGraph graph, String name) {
        ConvolutionLayer conv1 = conv(graph, name + "_conv1");
        if (conv1 == null) {
            return null;
        }
        ConvolutionLayer conv2 = conv(graph, name + "_conv2");
        double dropout = 0;
        if (conv2 != null) {
            IDropout d = ((BaseLayer) conv2).getIDropout();
            // both keep the retain probability (DL4J's Dropout in models saved before HashedDropout); round away
            // the 1 - (1 - rate) error
            Double keep = d instanceof HashedDropout h ? Double.valueOf(h.getP())
                    : d instanceof Dropout dl4j ? Double.valueOf(dl4j.getP()) : null;
            if (keep != null) {
                dropout = Math.round((1.0 - keep) * 1e9) / 1e9;
            }
        }
        return new Block((int) conv1.getNOut(), conv2 == null ? null : (int) conv2.getNOut(), dropout);
    }

    private static ConvolutionLayer conv(ComputationGraph graph, String name) {
        var vertex = graph.getConfiguration().getVertices().get(name);
        if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex layer
                && layer.getLayerConf().getLayer() instanceof ConvolutionLayer conv) {
            return conv;
        }
        return null;
    }

    /** Number of levels (encoder blocks). */
    @JsonIgnore
    public int depth() {
        return levels.size();
    }

    /** True for the segmentation U-Net (decoder blocks), false for the classification variant or a single level. */
    @JsonIgnore
    public boolean hasDecoder() {
        return levels.get(0).decoder() != null;
    }

    /** Each level's encoder conv1 width: the {@code filters} list of the nearest {@link UNetSpec}. */
    @JsonIgnore
    public List<Integer> encoderWidths() {
        return levels.stream().map(l -> l.encoder().conv1()).toList();
    }

    /** This architecture without level {@code index}; the new deepest level loses its decoder block. */
    public UNetArchitecture withoutLevel(int index) {
        List<Level> kept = new ArrayList<>(levels);
        kept.remove(index);
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("cannot remove the only level of " + this.describe());
        }
        int last = kept.size() - 1;
        kept.set(last, new Level(kept.get(last).encoder(), null));
        return new UNetArchitecture(kept);
    }

    /** The same architecture with every dropout rate 0. */
    public UNetArchitecture withoutDropout() {
        return new UNetArchitecture(levels.stream().map(l -> new Level(noDropout(l.encoder()), noDropout(l.decoder())))
                .toList());
    }

    private static Block noDropout(Block b) {
        return b == null ? null : new Block(b.conv1(), b.conv2(), 0);
    }

    /**
     * A compact one-line form, level by level: {@code encoder conv1/conv2 + decoder conv1/conv2}, "-" for a removed
     * conv2, e.g. {@code 16/16+16/- 32/32}.
     */
    public String describe() {
        return levels.stream().map(l -> l.encoder().describe() + (l.decoder() == null ? "" : "+" + l.decoder().describe()))
                .collect(Collectors.joining(" "));
    }
}
