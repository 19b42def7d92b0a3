package io.distill4j.model;

import java.util.List;
import java.util.Locale;

/**
 * The published ResNet depths (He et al., 2016), as presets of {@link ResNetArchitecture}: blocks per stage, the
 * stages' base widths, the block type and the stem the paper used with them. The ImageNet family (10 to 152 layers,
 * four stages of 64 to 512 channels, 7×7 stride-2 stem with max pooling) and the CIFAR family (6n + 2 layers, three
 * stages of 16 to 64 channels, 3×3 stem), which suits small images such as Fashion-MNIST's 28×28.
 * Written in lowercase in a config: {@code depth: resnet18}.
 */
public enum ResNetDepth {
    RESNET10(List.of(1, 1, 1, 1), ResNetBlock.BASIC),
    RESNET18(List.of(2, 2, 2, 2), ResNetBlock.BASIC),
    RESNET34(List.of(3, 4, 6, 3), ResNetBlock.BASIC),
    RESNET50(List.of(3, 4, 6, 3), ResNetBlock.BOTTLENECK),
    RESNET101(List.of(3, 4, 23, 3), ResNetBlock.BOTTLENECK),
    RESNET152(List.of(3, 8, 36, 3), ResNetBlock.BOTTLENECK),
    RESNET8(List.of(1, 1, 1), ResNetBlock.BASIC),
    RESNET14(List.of(2, 2, 2), ResNetBlock.BASIC),
    RESNET20(List.of(3, 3, 3), ResNetBlock.BASIC),
    RESNET32(List.of(5, 5, 5), ResNetBlock.BASIC),
    RESNET56(List.of(9, 9, 9), ResNetBlock.BASIC);

    private static final List<Integer> IMAGENET_WIDTHS = List.of(64, 128, 256, 512);
    private static final List<Integer> CIFAR_WIDTHS = List.of(16, 32, 64);

    private final List<Integer> blocks;
    private final ResNetBlock block;

    ResNetDepth(List<Integer> blocks, ResNetBlock block) {
        this.blocks = blocks;
        this.block = block;
    }

    /** Blocks per stage. */
    public List<Integer> blocks() {
        return blocks;
    }

    /** Each stage's width before the multiplier (a bottleneck stage outputs 4× its width). */
    public List<Integer> widths() {
        return imagenet() ? IMAGENET_WIDTHS : CIFAR_WIDTHS;
    }

    public ResNetBlock block() {
        return block;
    }

    /** The stem the paper used at this depth: ImageNet's for four stages, CIFAR's 3×3 for three. */
    public ResNetStem stem() {
        return imagenet() ? ResNetStem.IMAGENET : ResNetStem.SMALL;
    }

    private boolean imagenet() {
        return blocks.size() == 4;
    }

    /** The lowercase name used in YAML and on the command line. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
