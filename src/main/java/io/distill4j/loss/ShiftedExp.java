package io.distill4j.loss;

/**
 * e^x for the max-shifted logits of a softmax (x ≤ 0), as arithmetic the JIT compiles to vector instructions:
 * {@code Math.exp} is a call into a JVM stub that keeps every loop it sits in scalar, 4-7 ns a value on the
 * project's machines, a quarter of a cached distillation loss at 256×256; this runs at about 1.5 ns.
 *
 * <p>Method: x is clamped at {@link #LOWEST}, divided by 2^8, e^y taken by its Taylor polynomial to degree 12
 * (|y| ≤ 1/4: truncation below 2e-16) and squared eight times. Relative error at most 5e-14 over [-64, 0] (rounding
 * grows 2^8-fold through the squarings; {@code ShiftedExpTest}); below -64 the result is e^-64 ≈ 1.6e-28, which
 * next to the shifted maximum's e^0 = 1 changes no softmax sum and no probability by more than that. Log-softmax
 * values are taken from the shifted logits directly, so no log-probability depends on the clamp.
 */
final class ShiftedExp {
    /** Where the clamp sits: e^-64 is below double's resolution relative to 1 by twelve orders of magnitude. */
    static final double LOWEST = -64.0;

    /**
     * Whether the JVM computes Math.fma with the CPU's instruction (every x86 CPU with AVX2, every ARM64 one): without
     * it, Math.fma falls back to BigDecimal arithmetic, a hundred times slower than the plain multiply and add.
     */
    private static final boolean HARDWARE_FMA = hardwareFma();

    private ShiftedExp() {
    }

    /**
     * One Horner step, p * y + c: by Math.fma where the CPU has it (one rounding instead of two, and one vector
     * instruction for two; Java never fuses a * b + c itself): the cached distillation loss alone at 256² took
     * 28.3-28.6 ms instead of 31.3-32.7 (README, Performance, "A loss C2 vectorises").
     */
    private static double step(double p, double y, double c) {
        return HARDWARE_FMA ? Math.fma(p, y, c) : p * y + c;
    }

    private static boolean hardwareFma() {
        try {
            return Boolean.parseBoolean(java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError notHotSpot) {
            return false;
        }
    }

    /** e^x, for x ≤ 0 (larger x lose accuracy: the polynomial is centred on the interval [-1/4, 0]). */
    static double of(double x) {
        double y = Math.max(x, LOWEST) * (1.0 / 256);
        double p = 1.0 / 479001600; // 1/12!
        p = step(p, y, 1.0 / 39916800);
        p = step(p, y, 1.0 / 3628800);
        p = step(p, y, 1.0 / 362880);
        p = step(p, y, 1.0 / 40320);
        p = step(p, y, 1.0 / 5040);
        p = step(p, y, 1.0 / 720);
        p = step(p, y, 1.0 / 120);
        p = step(p, y, 1.0 / 24);
        p = step(p, y, 1.0 / 6);
        p = step(p, y, 0.5);
        p = step(p, y, 1.0);
        p = step(p, y, 1.0);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p * p;
    }
}
