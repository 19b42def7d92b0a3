package io.distill4j.search;

import io.distill4j.model.UNetArchitecture;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the policies' per-layer actions into architectures, and encodes an architecture back into the actions
 * that give it (for tests and for reading a search's results).
 * <ul>
 *   <li>Removal: 1 = remove, per {@link LayerDescriptor}. On an encoder conv1 it removes the whole level (encoder
 *       block, decoder block, skip); on a conv2 it removes that convolution; a decoder conv1 is not removable and its
 *       action is ignored (the policy's loss masks it).</li>
 *   <li>Shrinkage: an index into the width fractions per layer; the new width is {@code max(1, round(f * width))}.
 *       The up-convolutions follow their skip, so widths stay consistent across every concatenation.</li>
 * </ul>
 */
public final class Actions {

    public static final int KEEP = 0;
    public static final int REMOVE = 1;

    private Actions() {
    }

    /**
     * The architecture left after the removal actions, or empty when they remove every level.
     *
     * @param layers {@code LayerDescriptor.of(architecture, ...)}: the actions are indexed like it
     */
    public static Optional<UNetArchitecture> remove(UNetArchitecture architecture, List<LayerDescriptor> layers,
                                                    int[] actions) {
        check(layers, actions);
        List<UNetArchitecture.Level> levels = new ArrayList<>(architecture.levels());
        boolean[] removedLevel = new boolean[levels.size()];
        for (int t = 0; t < actions.length; t++) {
            if (actions[t] != REMOVE) {
                continue;
            }
            LayerDescriptor l = layers.get(t);
            UNetArchitecture.Level level = levels.get(l.level());
            switch (l.role()) {
                case ENCODER_CONV1 -> removedLevel[l.level()] = true;
                case ENCODER_CONV2 -> levels.set(l.level(), new UNetArchitecture.Level(level.encoder().withoutConv2(),
                        level.decoder()));
                case DECODER_CONV2 -> levels.set(l.level(), new UNetArchitecture.Level(level.encoder(),
                        level.decoder().withoutConv2()));
                case DECODER_CONV1 -> {
                    // not removable: ignored
                }
            }
        }
        List<UNetArchitecture.Level> kept = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            if (!removedLevel[i]) {
                kept.add(levels.get(i));
            }
        }
        if (kept.isEmpty()) {
            return Optional.empty();
        }
        int last = kept.size() - 1;
        kept.set(last, new UNetArchitecture.Level(kept.get(last).encoder(), null));
        return Optional.of(new UNetArchitecture(kept));
    }

    /**
     * The canonical removal actions that turn {@code from} into {@code to}: 1 on each removed level's encoder conv1
     * and on each removed conv2 of a kept level, 0 everywhere else. Levels are matched in order by their encoder
     * blocks' conv1 width.
     *
     * @throws IllegalArgumentException if {@code to} is not a removal of {@code from}
     */
    public static int[] removalOf(UNetArchitecture from, List<LayerDescriptor> layers, UNetArchitecture to) {
        int[] match = new int[to.depth()];
        int next = 0;
        for (int i = 0; i < from.depth() && next < to.depth(); i++) {
            if (from.levels().get(i).encoder().conv1() == to.levels().get(next).encoder().conv1()) {
                match[next++] = i;
            }
        }
        if (next < to.depth()) {
            throw new IllegalArgumentException(to.describe() + " is not a removal of " + from.describe());
        }
        int[] actions = new int[layers.size()];
        for (int t = 0; t < layers.size(); t++) {
            LayerDescriptor l = layers.get(t);
            int kept = indexOf(match, l.level());
            if (l.role() == LayerDescriptor.Role.ENCODER_CONV1) {
                actions[t] = kept < 0 ? REMOVE : KEEP;
            } else if (kept >= 0 && l.role() == LayerDescriptor.Role.ENCODER_CONV2) {
                actions[t] = to.levels().get(kept).encoder().conv2() == null ? REMOVE : KEEP;
            } else if (kept >= 0 && l.role() == LayerDescriptor.Role.DECODER_CONV2 && to.levels().get(kept).decoder() != null) {
                actions[t] = to.levels().get(kept).decoder().conv2() == null ? REMOVE : KEEP;
            }
        }
        if (!remove(from, layers, actions).map(to::equals).orElse(false)) {
            throw new IllegalArgumentException(to.describe() + " is not a removal of " + from.describe());
        }
        return actions;
    }

    /** The architecture with each layer's width scaled by its chosen fraction. */
    public static UNetArchitecture shrink(UNetArchitecture architecture, List<LayerDescriptor> layers, int[] choices,
                                          List<Double> fractions) {
        check(layers, choices);
        List<UNetArchitecture.Level> levels = new ArrayList<>(architecture.levels());
        for (int t = 0; t < choices.length; t++) {
            LayerDescriptor l = layers.get(t);
            int width = width(l.outChannels(), fractions.get(choices[t]));
            UNetArchitecture.Level level = levels.get(l.level());
            UNetArchitecture.Block e = level.encoder();
            UNetArchitecture.Block d = level.decoder();
            levels.set(l.level(), switch (l.role()) {
                case ENCODER_CONV1 -> new UNetArchitecture.Level(e.withWidths(width, e.conv2()), d);
                case ENCODER_CONV2 -> new UNetArchitecture.Level(e.withWidths(e.conv1(), width), d);
                case DECODER_CONV1 -> new UNetArchitecture.Level(e, d.withWidths(width, d.conv2()));
                case DECODER_CONV2 -> new UNetArchitecture.Level(e, d.withWidths(d.conv1(), width));
            });
        }
        return new UNetArchitecture(levels);
    }

    /**
     * The shrinkage choices that turn {@code from} into {@code to} (the first fraction giving each width).
     *
     * @throws IllegalArgumentException if some width of {@code to} is no fraction of {@code from}'s
     */
    public static int[] shrinkageOf(List<LayerDescriptor> from, List<LayerDescriptor> to, List<Double> fractions) {
        if (from.size() != to.size()) {
            throw new IllegalArgumentException("different layer counts: " + from.size() + " and " + to.size());
        }
        int[] choices = new int[from.size()];
        for (int t = 0; t < from.size(); t++) {
            choices[t] = -1;
            for (int c = 0; c < fractions.size() && choices[t] < 0; c++) {
                if (width(from.get(t).outChannels(), fractions.get(c)) == to.get(t).outChannels()) {
                    choices[t] = c;
                }
            }
            if (choices[t] < 0) {
                throw new IllegalArgumentException("layer " + t + ": width " + to.get(t).outChannels()
                        + " is no fraction " + fractions + " of " + from.get(t).outChannels());
            }
        }
        return choices;
    }

    /** {@code max(1, round(fraction * width))}. */
    public static int width(int width, double fraction) {
        return Math.max(1, (int) Math.round(fraction * width));
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static void check(List<LayerDescriptor> layers, int[] actions) {
        if (actions.length != layers.size()) {
            throw new IllegalArgumentException(actions.length + " actions for " + layers.size() + " layers");
        }
    }
}
