package io.distill4j.loss;

import io.distill4j.util.HeapArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention maps of attention transfer (Zagoruyko and Komodakis 2017): for an activation {@code A [N, C, H, W]},
 * {@code Q = vec(Σ_c |A_c|^p) / ‖vec(Σ_c |A_c|^p)‖₂} per example, as {@code [N, 1, H, W]}. The teacher's maps are
 * all a student's attention term needs of it, so they are what is cached: C times smaller than the activation.
 */
public final class AttentionMaps {

    /** Added to the norm, as PyTorch's {@code F.normalize} does, so an all-zero map stays finite. */
    static final double EPSILON = 1e-12;

    private AttentionMaps() {
    }

    /** The normalised maps of {@code activation}, {@code [N, 1, H, W]}, in its data type. */
    public static INDArray of(INDArray activation, double p) {
        int n = (int) activation.size(0);
        int c = (int) activation.size(1);
        int pixels = (int) (activation.size(2) * activation.size(3));
        Values a = Values.of(activation);
        double[] maps = new double[n * pixels];
        for (int e = 0; e < n; e++) {
            double[] map = raw(a, e, c, pixels, p);
            double norm = norm(map);
            for (int i = 0; i < pixels; i++) {
                maps[e * pixels + i] = map[i] / norm;
            }
        }
        return HeapArrays.doubles(maps, n, 1, activation.size(2), activation.size(3))
                .castTo(activation.dataType() == DataType.DOUBLE ? DataType.DOUBLE : activation.dataType());
    }

    /** {@code Σ_c |A_c|^p} of one example. */
    static double[] raw(Values a, int example, int channels, int pixels, double p) {
        double[] map = new double[pixels];
        for (int ch = 0; ch < channels; ch++) {
            int base = (example * channels + ch) * pixels;
            for (int i = 0; i < pixels; i++) {
                map[i] += Math.pow(Math.abs(a.get(base + i)), p);
            }
        }
        return map;
    }

    static double norm(double[] map) {
        double sum = 0;
        for (double v : map) {
            sum += v * v;
        }
        return Math.sqrt(sum) + EPSILON;
    }
}
