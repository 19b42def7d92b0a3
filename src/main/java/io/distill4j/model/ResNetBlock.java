package io.distill4j.model;

import java.util.Locale;

/** A ResNet's residual block: {@code block: basic} or {@code block: bottleneck} in a config. */
public enum ResNetBlock {
    /** Conv3×3 → BN → ReLU → Conv3×3 → BN, plus the shortcut, then ReLU; outputs the stage width. */
    BASIC(1),
    /** Conv1×1 → BN → ReLU → Conv3×3 → BN → ReLU → Conv1×1 (4× wider) → BN, plus the shortcut, then ReLU. */
    BOTTLENECK(4);

    private final int expansion;

    ResNetBlock(int expansion) {
        this.expansion = expansion;
    }

    /** Output channels per unit of stage width. */
    public int expansion() {
        return expansion;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
