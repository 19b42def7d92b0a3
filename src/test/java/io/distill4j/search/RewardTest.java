package io.distill4j.search;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RewardTest {

    @Test
    void rewardIsCTimesTwoMinusCTimesTheMetricRatio() {
        // 10x compression: C = 0.9, C(2 - C) = 0.99
        assertEquals(0.9, Reward.compression(100, 1000), 1e-12);
        assertEquals(0.99 * 0.4 / 0.5, Reward.of(100, 1000, 0.4, 0.5), 1e-12);
        // the teacher itself: C = 0, R = 0 whatever its metric
        assertEquals(0.0, Reward.of(1000, 1000, 0.5, 0.5), 1e-12);
        // half the parameters, same metric: C = 0.5, R = 0.75
        assertEquals(0.75, Reward.of(500, 1000, 0.5, 0.5), 1e-12);
        // the land-cover teacher and the hand-designed 4-64 student at equal metric
        double c = 1 - 121_750.0 / 1_941_190;
        assertEquals(c * (2 - c), Reward.of(121_750, 1_941_190, 0.3, 0.3), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Reward.of(1, 10, 0.5, 0.0));
    }

    @Test
    void constraintsNameWhatIsBroken() {
        Reward.Constraints limits = new Reward.Constraints(50_000L, 2.0, 1_000_000L);
        assertTrue(limits.violation(50_000, 2.0, 1_000_000).isEmpty(), "limits are inclusive");
        assertEquals("50,001 parameters > max 50,000", limits.violation(50_001, 1.0, 10).orElseThrow());
        String both = limits.violation(60_000, 2.5, 10).orElseThrow();
        assertTrue(both.contains("parameters") && both.contains("2.500 ms/image > max 2.000"), both);
        assertTrue(limits.violation(1, 1, 1_000_001).orElseThrow().contains("file bytes"));
        assertTrue(Reward.Constraints.NONE.violation(Long.MAX_VALUE, 1e9, Long.MAX_VALUE).isEmpty());
        assertEquals(-1.0, Reward.VIOLATION);
    }
}
