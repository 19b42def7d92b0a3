package io.distill4j.config;

import java.util.Locale;

/** {@code compress.prune}: level (magnitude, unstructured), filter (L1-norm, structured) or none. */
public enum PruneMethod {
    LEVEL, FILTER, NONE;

    /** The lowercase name used in YAML, on the command line and in reports. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
