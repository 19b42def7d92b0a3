package io.distill4j.config;

import java.util.Locale;

/** {@code compress.scope} of level pruning: one magnitude threshold over all layers, or per layer. */
public enum PruneScope {
    GLOBAL, LAYER;

    /** The lowercase name used in YAML, on the command line and in reports. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
