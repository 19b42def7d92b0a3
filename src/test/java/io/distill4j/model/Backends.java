package io.distill4j.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * For tests that check the CPU backend's own facts (oneDNN helpers, the native build): they assume that backend, so a
 * {@code mvn -Pcuda test} run skips them instead of failing.
 */
public final class Backends {

    private Backends() {
    }

    /** Skips the calling test unless ND4J runs on the CPU with the oneDNN native build (the default profile). */
    public static void assumeCpuWithOneDnn() {
        String backend = Acceleration.backend();
        String nativeBuild = Acceleration.nativeBuild();
        assumeTrue("CPU".equals(backend) && nativeBuild.endsWith("-onednn"),
                "needs the CPU backend with oneDNN (the default profile); this is " + backend + ", " + nativeBuild);
    }
}
