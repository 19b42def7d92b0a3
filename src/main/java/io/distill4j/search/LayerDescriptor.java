package io.distill4j.search;

import io.distill4j.model.UNetArchitecture;

import java.util.ArrayList;
import java.util.List;

/**
 * What a policy reads about one convolution of a U-Net, the paper's per-layer state: its role, kernel, stride,
 * input and output channels, level and parameter count. The sequence a policy reads is every 3x3 convolution in
 * graph order: the encoder blocks shallow to deep, then the decoder blocks deep to shallow. The 2x2 up-convolutions
 * are not in it: their width is the skip's (see {@link UNetArchitecture}), so no action chooses it.
 *
 * @param level 0 = the shallowest level
 */
public record LayerDescriptor(Role role, int kernel, int stride, int inChannels, int outChannels, int level,
                              long parameters) {

    /** Length of {@link #features}. */
    public static final int FEATURES = Role.values().length + 6;
    /** Levels the level feature is scaled by (deeper U-Nets still work: the feature just exceeds 1). */
    private static final double MAX_LEVELS = 8;

    /** Which convolution of which block; says what "remove" means for it. */
    public enum Role {
        /** The first convolution of an encoder block: removing it removes the whole level (encoder, decoder, skip). */
        ENCODER_CONV1,
        ENCODER_CONV2,
        /** The first convolution of a decoder block: it joins the skip, so it goes only with its level. */
        DECODER_CONV1,
        DECODER_CONV2;

        /** Whether the removal policy decides anything for this layer. */
        public boolean removable() {
            return this != DECODER_CONV1;
        }
    }

    /** The descriptors of every 3x3 convolution of {@code architecture}, in the order the policies read them. */
    public static List<LayerDescriptor> of(UNetArchitecture architecture, int inputChannels) {
        List<LayerDescriptor> layers = new ArrayList<>();
        int in = inputChannels;
        List<UNetArchitecture.Level> levels = architecture.levels();
        for (int i = 0; i < levels.size(); i++) {
            UNetArchitecture.Block b = levels.get(i).encoder();
            layers.add(conv(Role.ENCODER_CONV1, in, b.conv1(), i));
            if (b.conv2() != null) {
                layers.add(conv(Role.ENCODER_CONV2, b.conv1(), b.conv2(), i));
            }
            in = b.outWidth();
        }
        for (int i = levels.size() - 2; i >= 0; i--) {
            UNetArchitecture.Block d = levels.get(i).decoder();
            if (d == null) {
                continue;
            }
            // the merge joins the up-convolution and the skip, both as wide as the encoder block's output
            layers.add(conv(Role.DECODER_CONV1, 2 * levels.get(i).encoder().outWidth(), d.conv1(), i));
            if (d.conv2() != null) {
                layers.add(conv(Role.DECODER_CONV2, d.conv1(), d.conv2(), i));
            }
        }
        return layers;
    }

    private static LayerDescriptor conv(Role role, int in, int out, int level) {
        return new LayerDescriptor(role, 3, 1, in, out, level, 9L * in * out + out);
    }

    /**
     * The architecture these descriptors describe (the inverse of {@link #of}; dropout rates are not described, so
     * they come back as 0).
     */
    public static UNetArchitecture toArchitecture(List<LayerDescriptor> layers) {
        int depth = layers.stream().mapToInt(LayerDescriptor::level).max().orElseThrow(
                () -> new IllegalArgumentException("no layers")) + 1;
        Integer[][] widths = new Integer[depth][4];
        for (LayerDescriptor l : layers) {
            widths[l.level()][l.role().ordinal()] = l.outChannels();
        }
        List<UNetArchitecture.Level> levels = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            Integer[] w = widths[i];
            if (w[Role.ENCODER_CONV1.ordinal()] == null) {
                throw new IllegalArgumentException("level " + i + " has no encoder conv1 in " + layers);
            }
            UNetArchitecture.Block decoder = w[Role.DECODER_CONV1.ordinal()] == null ? null
                    : new UNetArchitecture.Block(w[Role.DECODER_CONV1.ordinal()], w[Role.DECODER_CONV2.ordinal()], 0);
            levels.add(new UNetArchitecture.Level(new UNetArchitecture.Block(w[Role.ENCODER_CONV1.ordinal()],
                    w[Role.ENCODER_CONV2.ordinal()], 0), decoder));
        }
        return new UNetArchitecture(levels);
    }

    /**
     * The policy's input for this layer: the role one-hot, then kernel, stride, log2 of the input and output
     * channels, the level and log10 of the parameters, each scaled to about [0, 1] so teachers of other widths
     * (policy transfer) give inputs in the same range.
     */
    public double[] features() {
        double[] f = new double[FEATURES];
        f[role.ordinal()] = 1;
        int k = Role.values().length;
        f[k] = kernel / 3.0;
        f[k + 1] = stride;
        f[k + 2] = log2(inChannels) / 10;
        f[k + 3] = log2(outChannels) / 10;
        f[k + 4] = level / MAX_LEVELS;
        f[k + 5] = Math.log10(parameters + 1.0) / 7;
        return f;
    }

    private static double log2(int v) {
        return Math.log(v) / Math.log(2);
    }
}
