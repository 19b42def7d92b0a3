package io.distill4j.compress;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A layer activation followed by simulated 8-bit quantization of its output: {@code fq(f(x))} with an affine
 * (asymmetric, zero-point) 256-level grid over a range {@code [lo, hi]} that always contains 0 (so ReLU zeros stay
 * exact). It wraps the layer's own activation, so quantizing a layer's activations changes no vertex and no parameter
 * of the graph; it is a DL4J {@link IActivation}, so it is saved and restored with the configuration JSON.
 *
 * <p>The range is either fixed (post-training static quantization: calibrated on sample batches), computed from each
 * batch (dynamic quantization), or tracked during training as a moving average of the batch ranges
 * (quantization-aware training). Backprop is the straight-through estimator: gradients pass unchanged where
 * {@code f(x)} is inside the range and are zero where it was clipped.
 */
public class FakeQuantActivation extends BaseActivationFunction {

    public static final int LEVELS = 256;

    private IActivation base;
    private double lo = Double.NaN;
    private double hi = Double.NaN;
    private boolean dynamic;
    private boolean tracking;
    private double momentum = 0.9;

    /** For Jackson. */
    public FakeQuantActivation() {
    }

    private FakeQuantActivation(IActivation base, double lo, double hi, boolean dynamic, boolean tracking) {
        this.base = base;
        this.lo = lo;
        this.hi = hi;
        this.dynamic = dynamic;
        this.tracking = tracking;
    }

    /** Static quantization over a calibrated range. */
    public static FakeQuantActivation fixed(IActivation base, double lo, double hi) {
        if (!(hi >= lo)) {
            throw new IllegalArgumentException("activation range [" + lo + ", " + hi + "] is empty");
        }
        return new FakeQuantActivation(base, lo, hi, false, false);
    }

    /** Dynamic quantization: the range of each batch's output. */
    public static FakeQuantActivation dynamic(IActivation base) {
        return new FakeQuantActivation(base, Double.NaN, Double.NaN, true, false);
    }

    /** Quantization-aware training: the range follows a moving average of the training batches' ranges. */
    public static FakeQuantActivation tracking(IActivation base) {
        return new FakeQuantActivation(base, Double.NaN, Double.NaN, false, true);
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray a = base.getActivation(in, training);
        if (tracking && training) {
            double batchLo = a.minNumber().doubleValue();
            double batchHi = a.maxNumber().doubleValue();
            if (Double.isNaN(lo)) {
                lo = batchLo;
                hi = batchHi;
            } else {
                lo = momentum * lo + (1 - momentum) * batchLo;
                hi = momentum * hi + (1 - momentum) * batchHi;
            }
        }
        double[] range = range(a);
        return range == null ? a : fakeQuantize(a, range[0], range[1]);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        INDArray a = base.getActivation(in.dup(), true);
        double[] range = range(a);
        INDArray grad = epsilon;
        if (range != null) {
            INDArray inside = a.gte(range[0]).castTo(epsilon.dataType()).muli(a.lte(range[1]).castTo(epsilon.dataType()));
            grad = epsilon.mul(inside);
        }
        return base.backprop(in, grad);
    }

    /** The range to quantize over, with 0 inside it; null when there is none yet (an untrained tracker). */
    private double[] range(INDArray a) {
        double l = lo;
        double h = hi;
        if (dynamic) {
            l = a.minNumber().doubleValue();
            h = a.maxNumber().doubleValue();
        }
        if (Double.isNaN(l) || Double.isNaN(h)) {
            return null;
        }
        return new double[]{Math.min(l, 0), Math.max(h, 0)};
    }

    /** Rounds {@code a} (in place) to the 256-level affine grid over {@code [lo, hi]} (lo <= 0 <= hi), clipping. */
    public static INDArray fakeQuantize(INDArray a, double lo, double hi) {
        if (!(hi > lo)) {
            return a.assign(0);
        }
        double scale = (hi - lo) / (LEVELS - 1);
        double zeroPoint = Math.round(-lo / scale);
        INDArray q = Transforms.round(a.divi(scale).addi(zeroPoint), false);
        q = Transforms.max(Transforms.min(q, LEVELS - 1, false), 0, false);
        return q.subi(zeroPoint).muli(scale);
    }

    public IActivation getBase() {
        return base;
    }

    public double getLo() {
        return lo;
    }

    public double getHi() {
        return hi;
    }

    public boolean isDynamic() {
        return dynamic;
    }

    public boolean isTracking() {
        return tracking;
    }

    /** Stops tracking (the range is fixed from now on, as after training). */
    public void freeze() {
        tracking = false;
    }

    @Override
    public String toString() {
        return "fakequant8(" + base + (dynamic ? ", dynamic" : String.format(", [%.4g, %.4g]", lo, hi))
                + (tracking ? ", tracking" : "") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FakeQuantActivation f && java.util.Objects.equals(base, f.base)
                && Double.compare(lo, f.lo) == 0 && Double.compare(hi, f.hi) == 0 && dynamic == f.dynamic
                && tracking == f.tracking && momentum == f.momentum;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(base, lo, hi, dynamic, tracking, momentum);
    }
}
