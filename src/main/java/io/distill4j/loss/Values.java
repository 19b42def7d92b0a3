package io.distill4j.loss;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        boolean isDouble = array.dataType() == DataType.DOUBLE;
        INDArray typed = isDouble || array.dataType() == DataType.FLOAT ? array : array.castTo(DataType.FLOAT);
        INDArray dense = typed.ordering() == 'c' && !typed.isView() && typed.data().length() == typed.length()
                ? typed : typed.dup('c');
        int length = (int) dense.length();
        if (isDouble) {
            double[] doubles = new double[length];
            dense.data().asNioDouble().slice().get(doubles);
            return new Values(null, doubles);
        }
        float[] floats = new float[length];
        dense.data().asNioFloat().slice().get(floats);
        return new Values(floats, null);
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
        // bulk copies into the native buffer: Nd4j.create(float[], ...) stores element by element, a tenth of a
        // segmentation loss at 256×256
        INDArray array = Nd4j.createUninitialized(doubles != null ? DataType.DOUBLE : DataType.FLOAT, shape, 'c');
        if (doubles != null) {
            array.data().asNioDouble().slice().put(doubles);
        } else {
            array.data().asNioFloat().slice().put(floats);
        }
        return array.dataType() == type ? array : array.castTo(type);
    }

    void add(int i, double value) {
        set(i, get(i) + value);
    }

    int length() {
        return doubles != null ? doubles.length : floats.length;
    }
}
