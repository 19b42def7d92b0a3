package io.distill4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A single seed's difference below the measured run-to-run spread is not called a gain or a loss. */
class DemoVerdictTest {

    @Test
    void smallSingleSeedDifferencesAreCalledNoise() {
        assertTrue(DemoCommand.verdict("mean iou", 0.2286, 0.2249).startsWith("Within run-to-run noise"));
        assertTrue(DemoCommand.verdict("mean iou", 0.2249, 0.2286).startsWith("Within run-to-run noise"));
        assertTrue(DemoCommand.verdict("mean iou", 0.26, 0.22).startsWith("Distillation helped"));
        assertTrue(DemoCommand.verdict("mean iou", 0.19, 0.22).startsWith("Distillation did not help"));
    }
}
