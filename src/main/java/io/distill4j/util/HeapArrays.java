package io.distill4j.util;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J arrays from Java arrays and back with one bulk copy each way. {@code Nd4j.create(float[], shape, 'c')} stores
 * element by element through the data buffer's {@code put} (in JFR, a tenth of a 256×256 distillation loss and 4% of
 * the Java time of a 64×64 student's epoch, building its batches); {@code data().asFloat()} likewise reads.
 */
public final class HeapArrays {

    private HeapArrays() {
    }

    /** A new C-order float array of {@code shape} holding {@code values} (in the current workspace, if any). */
    public static INDArray floats(float[] values, long... shape) {
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        checkLength(values.length, array);
        array.data().asNioFloat().slice().put(values);
        return array;
    }

    /** As {@link #floats}, in double precision. */
    public static INDArray doubles(double[] values, long... shape) {
        INDArray array = Nd4j.createUninitialized(DataType.DOUBLE, shape, 'c');
        checkLength(values.length, array);
        array.data().asNioDouble().slice().put(values);
        return array;
    }

    /** The elements of a float array in C order (a copy first if it is a view or not C-ordered). */
    public static float[] toFloats(INDArray array) {
        INDArray dense = dense(array, DataType.FLOAT);
        float[] values = new float[(int) dense.length()];
        dense.data().asNioFloat().slice().get(values);
        return values;
    }

    /** The elements of a double array in C order. */
    public static double[] toDoubles(INDArray array) {
        INDArray dense = dense(array, DataType.DOUBLE);
        double[] values = new double[(int) dense.length()];
        dense.data().asNioDouble().slice().get(values);
        return values;
    }

    private static INDArray dense(INDArray array, DataType type) {
        if (array.dataType() != type) {
            throw new IllegalArgumentException("expected a " + type + " array, got " + array.dataType());
        }
        return array.ordering() == 'c' && !array.isView() && array.data().length() == array.length()
                ? array : array.dup('c');
    }

    private static void checkLength(int length, INDArray array) {
        if (length != array.length()) {
            throw new IllegalArgumentException(length + " values for an array of shape "
                    + java.util.Arrays.toString(array.shape()));
        }
    }
}
