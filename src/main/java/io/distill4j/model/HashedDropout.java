package io.distill4j.model;

import io.distill4j.util.NativeArrays;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Inverted dropout, as DL4J's {@code Dropout}: each activation is kept with probability {@link #getP()} and scaled by
 * 1/p, or zeroed, and the gradient goes through the same mask. Whether element i (in C order) is kept is a hash of i
 * and a seed drawn from ND4J's random generator for each forward pass, so the mask is never stored: the backward
 * pass hashes again. DL4J's {@code Dropout} fills a mask with ones, draws it with libnd4j's per-element random kernel
 * and multiplies; in {@code perf} that was 7-8% of a student's training step. Here the hash (MurmurHash3's 32-bit
 * finaliser, whose output bits each depend on every input bit) runs as integer arithmetic the JIT vectorises, in one
 * pass that reads the input and writes the output. Masks differ from DL4J's for the same seed; their distribution is
 * the same (tested: keep rate, independence of neighbours and of successive passes).
 */
public final class HashedDropout implements IDropout {

    /** Elements per chunk copied between native memory and the heap, where the loop vectorises. */
    private static final int CHUNK = 4096;
    /** The kept/dropped decision compares the hash's top 24 bits (the resolution of a float in [0, 1)). */
    private static final int BITS = 24;
    /** 0, 1, ..., CHUNK - 1: element indices as an array the vectorised loop reads. */
    private static final int[] INDICES = java.util.stream.IntStream.range(0, CHUNK).toArray();

    private final double p;
    /** The seed of the last forward pass, which its backward pass uses; absent between passes. */
    private transient long seed;
    private transient boolean hasMask;

    /** @param p the probability of keeping an activation (DL4J's convention; Keras' rate is 1 - p), in (0, 1] */
    @JsonCreator
    public HashedDropout(@JsonProperty("p") double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: the probability of keeping an activation must be in (0, 1],"
                    + " got " + p);
        }
        this.p = p;
    }

    /** The probability of keeping an activation. */
    @JsonProperty("p")
    public double getP() {
        return p;
    }

    @Override
    public INDArray applyDropout(INDArray inputActivations, INDArray output, int iteration, int epoch,
                                 LayerWorkspaceMgr workspaceMgr) {
        seed = Nd4j.getRandom().nextLong();
        hasMask = true;
        return masked(inputActivations, output, seed);
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (!hasMask) {
            throw new IllegalStateException("dropout backprop without a forward pass (or after clear())");
        }
        hasMask = false;
        return masked(gradAtOutput, gradAtInput, seed);
    }

    @Override
    public void clear() {
        hasMask = false;
    }

    @Override
    public HashedDropout clone() {
        return new HashedDropout(p);
    }

    /** {@code out} = {@code in} times the mask of {@code seed}: 0 or 1/p per element, by its C-order index. */
    INDArray masked(INDArray in, INDArray out, long seed) {
        if (in.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dropout over more than 2^31 - 1 elements: " + in.shapeInfoToString());
        }
        DataType type = out.dataType();
        DataType computed = type == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        INDArray source = in.dataType() == computed ? NativeArrays.contiguous(in)
                : in.castTo(computed).dup('c'); // half precision: computed in float
        boolean direct = type == computed && NativeArrays.isContiguous(out);
        INDArray target = direct ? out : Nd4j.createUninitialized(computed, out.shape(), 'c');
        Mask mask = new Mask(p, seed);
        if (computed == DataType.DOUBLE) {
            mask.apply(NativeArrays.doubles(source), NativeArrays.doubles(target), (int) in.length());
        } else {
            mask.apply(NativeArrays.floats(source), NativeArrays.floats(target), NativeArrays.floatBits(target),
                    (int) in.length());
        }
        java.lang.ref.Reference.reachabilityFence(source); // read through NIO views only
        java.lang.ref.Reference.reachabilityFence(target);
        if (!direct) {
            out.assign(target);
        }
        return out;
    }

    /** The keep/drop decisions of one seed. */
    record Mask(int threshold, int key0, int key1, double scale) {

        Mask(double p, long seed) {
            this((int) Math.min(1L << BITS, Math.round(p * (1 << BITS))), (int) seed, (int) (seed >>> 32), 1.0 / p);
        }

        /** Whether element {@code i} is kept: its hash's top 24 bits below p × 2^24. */
        boolean keeps(int i) {
            return (hash(i) >>> (32 - BITS)) < threshold;
        }

        /** MurmurHash3's finaliser of the keyed index. */
        private int hash(int i) {
            int h = (i ^ key1) * 0x9E3779B9 + key0;
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            return h ^ (h >>> 16);
        }

        /**
         * {@code out} = {@code in} × 1/p, then kept elements' bits AND -1 and dropped ones' AND 0 (+0.0): two loops over
         * a chunk, float and integer, because JDK 17's C2 vectorises neither an int-to-float conversion nor a select.
         */
        void apply(FloatBuffer in, FloatBuffer out, IntBuffer outBits, int length) {
            float scale = (float) this.scale;
            float[] values = new float[Math.min(CHUNK, length)];
            int[] bits = new int[values.length];
            for (int from = 0; from < length; from += CHUNK) {
                int n = Math.min(CHUNK, length - from);
                in.get(from, values, 0, n);
                for (int j = 0; j < n; j++) {
                    values[j] *= scale;
                }
                out.put(from, values, 0, n);
                outBits.get(from, bits, 0, n);
                for (int j = 0; j < n; j++) {
                    // the index from an array: C2 does not vectorise a loop that computes with its own counter
                    bits[j] &= ((hash(from + INDICES[j]) >>> (32 - BITS)) - threshold) >> 31; // kept: -1, dropped: 0
                }
                outBits.put(from, bits, 0, n);
            }
        }

        void apply(DoubleBuffer in, DoubleBuffer out, int length) {
            double[] chunk = new double[Math.min(CHUNK, length)];
            for (int from = 0; from < length; from += CHUNK) {
                int n = Math.min(CHUNK, length - from);
                in.get(from, chunk, 0, n);
                for (int j = 0; j < n; j++) {
                    chunk[j] *= keeps(from + j) ? scale : 0.0; // double: gradient checks, not speed
                }
                out.put(from, chunk, 0, n);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashedDropout d && d.p == p;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(p);
    }

    @Override
    public String toString() {
        return "HashedDropout(p=" + p + ")";
    }
}
