package io.distill4j.loss;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShiftedExpTest {

    @Test
    void agreesWithMathExpToFiveTimesTenToTheMinusFourteenOverItsRange() {
        double worst = 0;
        for (int i = 0; i <= 640_000; i++) {
            double x = -i / 10_000.0;
            double exact = Math.exp(x);
            worst = Math.max(worst, Math.abs(ShiftedExp.of(x) - exact) / exact);
        }
        assertTrue(worst < 5e-14, "largest relative error " + worst);
        assertEquals(1.0, ShiftedExp.of(0.0), 0.0, "the shifted maximum's term is exactly 1");
    }

    @Test
    void clampsBelowTheRangeAndPassesNaNThrough() {
        double floor = ShiftedExp.of(ShiftedExp.LOWEST);
        assertEquals(Math.exp(ShiftedExp.LOWEST), floor, 5e-14 * floor);
        assertEquals(floor, ShiftedExp.of(-1000.0), 0.0);
        assertEquals(floor, ShiftedExp.of(Double.NEGATIVE_INFINITY), 0.0);
        assertTrue(Double.isNaN(ShiftedExp.of(Double.NaN)), "a NaN logit must not turn into a probability");
    }
}
