package io.distill4j.model;

import java.util.Locale;

/** A ResNet's first layers, before the residual stages: {@code stem: imagenet} or {@code stem: small} in a config. */
public enum ResNetStem {
    /** Conv7×7 stride 2 → BN → ReLU → MaxPool 3×3 stride 2: a 4× smaller feature map (for 224×224 images). */
    IMAGENET,
    /** Conv3×3 stride 1 → BN → ReLU (the CIFAR ResNets): full resolution, for small images such as 28×28 or 32×32. */
    SMALL;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
