package io.distill4j.loss;

import io.distill4j.util.HeapArrays;
import io.distill4j.util.NativeArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * An array's values in row-major order: double on the heap for DOUBLE arrays (gradient checks); for the rest, the
 * float array's own memory (half types are widened to a float copy first), read and written in runs through a
 * per-thread float scratch. The arithmetic is done in double either way.
 *
 * <p>Why not heap copies of float arrays too: a training step copied its logits, its labels (with the teacher's
 * logits) and the gradient between ND4J and the heap, 11 MB of Java garbage a step at 128×128 and 38 MB at
 * 256×256, whose young collections took 10-15 ms every 0.6 s.
 */
final class Values {
    /** Per thread (the loss runs its rows in parallel), grown to the longest run read or written. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[256]);

    private final double[] doubles;
    /** A contiguous C-order FLOAT array and its memory (when {@link #doubles} is null); the array keeps it alive. */
    private final INDArray array;
    private final FloatBuffer floats;

    private Values(double[] doubles, INDArray array) {
        this.doubles = doubles;
        this.array = array;
        this.floats = array == null ? null : NativeArrays.floats(array);
    }

    static Values of(INDArray array) {
        if (array.dataType() == DataType.DOUBLE) {
            return new Values(HeapArrays.toDoubles(array), null);
        }
        INDArray floats = array.dataType() == DataType.FLOAT ? array : array.castTo(DataType.FLOAT);
        return new Values(null, NativeArrays.contiguous(floats));
    }

    /** Whether the values are doubles (a DOUBLE array's), not floats. */
    boolean isDouble() {
        return doubles != null;
    }

    /** Zeros of the same length and precision (a new float array in the current workspace, if any, for floats). */
    Values zerosLike() {
        return doubles != null ? new Values(new double[doubles.length], null)
                : new Values(null, Nd4j.create(DataType.FLOAT, array.shape(), 'c'));
    }

    /**
     * Values of the same length and precision for a caller that writes every one of them before reading any: for
     * floats, a new array left unzeroed (zeroing the loss's gradient was 7% of a cached distillation loss at 128²).
     */
    Values uninitializedLike() {
        return doubles != null ? zerosLike()
                : new Values(null, Nd4j.createUninitialized(DataType.FLOAT, array.shape(), 'c'));
    }

    double get(int i) {
        return doubles != null ? doubles[i] : floats.get(i);
    }

    void set(int i, double value) {
        if (doubles != null) {
            doubles[i] = value;
        } else {
            floats.put(i, (float) value);
        }
    }

    /** The values as an ND4J array of {@code shape} and {@code type}: for floats, the array they live in. */
    INDArray toArray(long[] shape, DataType type) {
        INDArray result = doubles != null ? HeapArrays.doubles(doubles, shape) : array.reshape('c', shape);
        return result.dataType() == type ? result : result.castTo(type);
    }

    /** Values {@code from ... from + n - 1} into {@code to[at ...]}, as doubles. */
    void read(int from, double[] to, int at, int n) {
        if (doubles != null) {
            System.arraycopy(doubles, from, to, at, n);
        } else {
            float[] scratch = scratch(n);
            floats.get(from, scratch, 0, n);
            for (int i = 0; i < n; i++) {
                to[at + i] = scratch[i];
            }
        }
    }

    /** {@code values[at ... at + n - 1]} into values {@code to ...} (rounded to float in a float array). */
    void write(int to, double[] values, int at, int n) {
        if (doubles != null) {
            System.arraycopy(values, at, doubles, to, n);
        } else {
            float[] scratch = scratch(n);
            for (int i = 0; i < n; i++) {
                scratch[i] = (float) values[at + i];
            }
            floats.put(to, scratch, 0, n);
        }
    }

    /** Every value times {@code factor} (in double, then rounded to float in a float array). */
    void scale(double factor) {
        if (doubles != null) {
            for (int i = 0; i < doubles.length; i++) {
                doubles[i] *= factor;
            }
        } else {
            float[] scratch = scratch(4096);
            int length = length();
            for (int from = 0; from < length; from += scratch.length) {
                int n = Math.min(scratch.length, length - from);
                floats.get(from, scratch, 0, n);
                for (int i = 0; i < n; i++) {
                    scratch[i] = (float) (scratch[i] * factor);
                }
                floats.put(from, scratch, 0, n);
            }
        }
    }

    void add(int i, double value) {
        set(i, get(i) + value);
    }

    int length() {
        return doubles != null ? doubles.length : (int) array.length();
    }

    private static float[] scratch(int n) {
        float[] scratch = SCRATCH.get();
        if (scratch.length < n) {
            scratch = new float[n];
            SCRATCH.set(scratch);
        }
        return scratch;
    }
}
