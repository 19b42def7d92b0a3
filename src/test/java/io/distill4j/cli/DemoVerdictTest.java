package io.distill4j.cli;

import io.distill4j.data.Task;
import io.distill4j.eval.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's verdict on one seed does not call a difference within run-to-run noise a help. */
class DemoVerdictTest {

    private static EvaluationResult segmentation(double meanIoU) {
        return new EvaluationResult(Task.SEGMENTATION, List.of("a", "b"), null, 1000, 0.5, new double[2],
                new double[2], new double[2], new long[2][2], new double[2], meanIoU, List.of());
    }

    private static EvaluationResult classification(double accuracy, long images) {
        return new EvaluationResult(Task.CLASSIFICATION, List.of("a", "b"), null, images, accuracy, new double[2],
                new double[2], new double[2], new long[2][2], new double[0], Double.NaN, List.of());
    }

    @Test
    void theReadmesPlusFiveThousandthsIsNoise() {
        String verdict = DemoCommand.verdict(segmentation(0.2286), segmentation(0.2236));
        assertTrue(verdict.startsWith("Within run-to-run noise"), verdict);
        assertTrue(DemoCommand.verdict(segmentation(0.30), segmentation(0.22)).startsWith("Distillation helped"));
        assertTrue(DemoCommand.verdict(segmentation(0.20), segmentation(0.25)).startsWith("Distillation did not help"));
    }

    @Test
    void accuracyNoiseShrinksWithTheTestSplit() {
        // +0.01 on 600 images is within two standard errors (about 0.05); on 100,000 it is not
        assertTrue(DemoCommand.verdict(classification(0.78, 600), classification(0.77, 600)).startsWith("Within"));
        assertTrue(DemoCommand.verdict(classification(0.78, 100_000), classification(0.77, 100_000))
                .startsWith("Distillation helped"));
    }
}
