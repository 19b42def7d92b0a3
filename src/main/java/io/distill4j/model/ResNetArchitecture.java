package io.distill4j.model;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A ResNet classifier of configurable depth and width, as a run config's {@code teacher.resnet} or
 * {@code student.resnet} section gives it, e.g. {@code {depth: resnet18, width: 0.25, stem: small}}. Every field but
 * one of {@code depth} or {@code blocks} + {@code widths} may be left out: a preset's values fill in what is not
 * given, and given values replace the preset's.
 *
 * @param depth  a published depth ({@link ResNetDepth}): blocks per stage, base widths, block type and stem
 * @param width  multiplier of every stage's width (rounded, at least 1 channel); null = 1
 * @param stem   the layers before the stages; null = the preset's (ImageNet's for four stages, else small)
 * @param block  basic or bottleneck; null = the preset's (basic without a preset)
 * @param blocks residual blocks per stage; null = the preset's
 * @param widths each stage's base width (before the multiplier); null = the preset's
 */
public record ResNetArchitecture(ResNetDepth depth, Double width, ResNetStem stem, ResNetBlock block,
                                 List<Integer> blocks, List<Integer> widths) {

    public ResNetArchitecture {
        if (depth == null && (blocks == null || widths == null)) {
            throw new IllegalArgumentException("a ResNet needs depth (one of " + choices() + ") or both blocks and"
                    + " widths (per stage)");
        }
        if (width != null && !(width > 0 && width <= 64)) {
            throw new IllegalArgumentException("width = " + width + " is invalid: expected a width multiplier in"
                    + " (0, 64], e.g. 0.25 for a quarter of the channels");
        }
        blocks = blocks == null ? null : List.copyOf(blocks);
        widths = widths == null ? null : List.copyOf(widths);
        List<Integer> b = blocks != null ? blocks : depth.blocks();
        List<Integer> w = widths != null ? widths : depth.widths();
        if (b.isEmpty() || b.stream().anyMatch(n -> n == null || n < 1)) {
            throw new IllegalArgumentException("blocks = " + b + " is invalid: expected at least one block per stage");
        }
        if (w.isEmpty() || w.stream().anyMatch(n -> n == null || n < 1)) {
            throw new IllegalArgumentException("widths = " + w + " is invalid: expected positive channel counts");
        }
        if (b.size() != w.size()) {
            throw new IllegalArgumentException("blocks " + b + " and widths " + w + " must have one entry per stage"
                    + " each (" + b.size() + " against " + w.size() + ")");
        }
    }

    /** A published depth at a width multiplier with its own stem. */
    public static ResNetArchitecture of(ResNetDepth depth, double width, ResNetStem stem) {
        return new ResNetArchitecture(depth, width, stem, null, null, null);
    }

    /** A published depth as published (width 1, the paper's stem). */
    public static ResNetArchitecture of(ResNetDepth depth) {
        return new ResNetArchitecture(depth, null, null, null, null, null);
    }

    /** Residual blocks per stage. */
    @JsonIgnore
    public List<Integer> stageBlocks() {
        return blocks != null ? blocks : depth.blocks();
    }

    /** Each stage's width after the multiplier (a bottleneck stage outputs {@link ResNetBlock#expansion()}× this). */
    @JsonIgnore
    public List<Integer> stageWidths() {
        double multiplier = width == null ? 1.0 : width;
        return (widths != null ? widths : depth.widths()).stream()
                .map(w -> (int) Math.max(1, Math.round(w * multiplier))).toList();
    }

    @JsonIgnore
    public ResNetBlock blockType() {
        return block != null ? block : depth != null ? depth.block() : ResNetBlock.BASIC;
    }

    @JsonIgnore
    public ResNetStem stemType() {
        return stem != null ? stem : depth != null ? depth.stem() : ResNetStem.SMALL;
    }

    /** Convolution and dense layers on the main path, the number in a ResNet's name (shortcuts not counted). */
    @JsonIgnore
    public int layers() {
        int perBlock = blockType() == ResNetBlock.BASIC ? 2 : 3;
        return 2 + perBlock * stageBlocks().stream().mapToInt(Integer::intValue).sum();
    }

    /** E.g. {@code resnet10 x0.25 (basic, stem small, blocks [1, 1, 1, 1], widths [16, 32, 64, 128])}. */
    public String describe() {
        String name = depth != null && blocks == null && widths == null ? depth.toString() : "resnet" + layers();
        return name + String.format(Locale.ROOT, " x%s", width == null ? "1" : trim(width)) + " (" + blockType()
                + ", stem " + stemType() + ", blocks " + stageBlocks() + ", widths " + stageWidths() + ")";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String choices() {
        return java.util.Arrays.stream(ResNetDepth.values()).map(Object::toString).collect(Collectors.joining(", "));
    }
}
