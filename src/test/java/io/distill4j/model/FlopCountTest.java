package io.distill4j.model;

import io.distill4j.data.Task;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FlopCountTest {

    @Test
    void countsEachWeightedLayerByHand() {
        // filters [4, 8], 3 -> 2 classes at 8×8: enc1 at 8×8, enc2 at 4×4, dec1_up 4×4 -> 8×8, logits 1×1
        FlopCount count = FlopCount.of(UNetSpec.of(java.util.List.of(4, 8), Task.SEGMENTATION, 3, 2, 8, 8));
        long enc1 = 2L * 9 * 3 * 4 * 64 + 2L * 9 * 4 * 4 * 64;
        long enc2 = 2L * 9 * 4 * 8 * 16 + 2L * 9 * 8 * 8 * 16;
        long up = 2L * 4 * 8 * 4 * 16;                       // 2×2 kernel over each of the 4×4 input pixels
        long dec1 = 2L * 9 * 8 * 4 * 64 + 2L * 9 * 4 * 4 * 64; // the merge gives 4 + 4 channels
        long logits = 2L * 4 * 2 * 64;
        assertEquals(enc1 + enc2 + up + dec1 + logits, count.forward());
        assertEquals(3 * count.forward(), count.trainingStep());
        assertEquals(8, count.perLayer().size());
    }

    @Test
    void seedNetworksAtTwoHundredFiftySixMatchTheIssuesFigures() {
        long teacher = FlopCount.of(UNetSpec.teacher(Task.SEGMENTATION, 3, 6, 256, 256)).forward();
        long student = FlopCount.of(UNetSpec.student(Task.SEGMENTATION, 3, 6, 256, 256)).forward();
        assertEquals(6.08, teacher / 1e9, 0.005);
        assertEquals(0.39, student / 1e9, 0.005);
        assertEquals(15.5, (double) teacher / student, 0.05);
    }

    @Test
    void classificationHeadCountsTheDenseLayer() {
        FlopCount count = FlopCount.of(UNetSpec.of(java.util.List.of(4), Task.CLASSIFICATION, 1, 10, 4, 4));
        assertEquals(2L * 9 * 1 * 4 * 16 + 2L * 9 * 4 * 4 * 16 + 2L * 4 * 10, count.forward());
    }
}
