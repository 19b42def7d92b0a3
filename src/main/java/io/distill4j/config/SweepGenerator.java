package io.distill4j.config;

import java.util.Locale;

/** {@code tune.generator}: how Arbiter picks the candidates. */
public enum SweepGenerator {
    RANDOM, GRID, GENETIC;

    /** The lowercase name used in YAML, on the command line and in reports. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
