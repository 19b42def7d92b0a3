package io.distill4j.loss;

import io.distill4j.util.HeapArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An array's values in row-major order, on the heap: double for DOUBLE arrays (gradient checks), float for the
 * rest (half types are widened), so float networks are read and written with bulk copies, not per element.
 * The arithmetic is done in double either way.
 */
final class Values {
    private final float[] floats;
    private final double[] doubles;

    private Values(float[] floats, double[] doubles) {
        this.floats = floats;
        this.doubles = doubles;
    }

    static Values of(INDArray array) {
        if (array.dataType() == DataType.DOUBLE) {
            return new Values(null, HeapArrays.toDoubles(array));
        }
        return new Values(HeapArrays.toFloats(array.dataType() == DataType.FLOAT ? array : array.castTo(DataType.FLOAT)),
                null);
    }

    /** Whether the values are doubles (a DOUBLE array's), not floats. */
    boolean isDouble() {
        return doubles != null;
    }

    Values zerosLike() {
        return doubles != null ? new Values(null, new double[doubles.length]) : new Values(new float[floats.length], null);
    }

    double get(int i) {
        return doubles != null ? doubles[i] : floats[i];
    }

    void set(int i, double value) {
        if (doubles != null) {
            doubles[i] = value;
        } else {
            floats[i] = (float) value;
        }
    }

    INDArray toArray(long[] shape, DataType type) {
        INDArray array = doubles != null ? HeapArrays.doubles(doubles, shape) : HeapArrays.floats(floats, shape);
        return array.dataType() == type ? array : array.castTo(type);
    }

    /** Values {@code from ... from + n - 1} into {@code to[at ...]}, as doubles. */
    void read(int from, double[] to, int at, int n) {
        if (doubles != null) {
            System.arraycopy(doubles, from, to, at, n);
        } else {
            for (int i = 0; i < n; i++) {
                to[at + i] = floats[from + i];
            }
        }
    }

    /** {@code values[at ... at + n - 1]} into values {@code to ...} (rounded to float in a float array). */
    void write(int to, double[] values, int at, int n) {
        if (doubles != null) {
            System.arraycopy(values, at, doubles, to, n);
        } else {
            for (int i = 0; i < n; i++) {
                floats[to + i] = (float) values[at + i];
            }
        }
    }

    /** Every value times {@code factor} (in double, then rounded to float in a float array): one vectorised loop. */
    void scale(double factor) {
        if (doubles != null) {
            for (int i = 0; i < doubles.length; i++) {
                doubles[i] *= factor;
            }
        } else {
            for (int i = 0; i < floats.length; i++) {
                floats[i] = (float) (floats[i] * factor);
            }
        }
    }

    void add(int i, double value) {
        set(i, get(i) + value);
    }

    int length() {
        return doubles != null ? doubles.length : floats.length;
    }
}
