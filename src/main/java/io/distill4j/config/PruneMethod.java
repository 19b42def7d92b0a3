package io.distill4j.config;

import java.util.Locale;

/**
 * {@code compress.prune}: level (magnitude, unstructured), filter (L1-norm, structured), lottery (iterative magnitude
 * pruning with rewinding) or none.
 */
public enum PruneMethod {
    LEVEL, FILTER, LOTTERY, NONE;

    /** The lowercase name used in YAML, on the command line and in reports. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
