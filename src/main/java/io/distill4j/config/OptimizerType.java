package io.distill4j.config;

import java.util.Locale;

/** {@code optimizer.type}: the DL4J updater. */
public enum OptimizerType {
    ADAM, SGD, NESTEROVS;

    /** The lowercase name used in YAML, on the command line and in reports. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
