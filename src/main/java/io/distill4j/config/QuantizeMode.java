package io.distill4j.config;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code compress.quantize}: int8 weights with activation ranges per batch (dynamic) or calibrated once (static), a
 * float16 or bfloat16 copy of the network, or none.
 */
public enum QuantizeMode {
    DYNAMIC, STATIC, FLOAT16, BFLOAT16, NONE;

    /** Whether this is int8 quantization (dynamic or static). */
    public boolean int8() {
        return this == DYNAMIC || this == STATIC;
    }

    /** The data type the network is converted to, for the float16 and bfloat16 modes. */
    public Optional<Dtype> dtype() {
        return switch (this) {
            case FLOAT16 -> Optional.of(Dtype.FLOAT16);
            case BFLOAT16 -> Optional.of(Dtype.BFLOAT16);
            default -> Optional.empty();
        };
    }

    /** The lowercase name used in YAML, on the command line and in reports. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
