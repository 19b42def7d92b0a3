package io.distill4j.util;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapArraysTest {

    @Test
    void javaArraysBecomeTheNd4jArraysNd4jCreateMakes() {
        float[] floats = {1, 2, 3, 4, 5, 6};
        INDArray f = HeapArrays.floats(floats, 1, 2, 3);
        assertEquals(Nd4j.create(floats, new long[]{1, 2, 3}, 'c'), f);
        assertEquals(DataType.FLOAT, f.dataType());
        assertEquals(6.0f, f.getFloat(0, 1, 2));
        double[] doubles = {0.5, -1.25, 1e-300, 7};
        INDArray d = HeapArrays.doubles(doubles, 2, 2);
        assertEquals(Nd4j.create(doubles, new long[]{2, 2}, 'c'), d);
        assertEquals(1e-300, d.getDouble(1, 0));
    }

    @Test
    void viewsAndFortranOrderAreReadInCOrder() {
        INDArray whole = Nd4j.arange(24).castTo(DataType.FLOAT).reshape(2, 3, 4);
        INDArray view = whole.get(NDArrayIndex.point(1), NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        assertTrue(view.isView());
        assertArrayEquals(new float[]{16, 17, 18, 19, 20, 21, 22, 23}, HeapArrays.toFloats(view));
        INDArray fortran = Nd4j.create(new double[]{1, 2, 3, 4}, new long[]{2, 2}, 'f');
        assertArrayEquals(new double[]{1, 3, 2, 4}, HeapArrays.toDoubles(fortran));
        float[] values = HeapArrays.toFloats(HeapArrays.floats(new float[]{9, 8, 7}, 3));
        assertArrayEquals(new float[]{9, 8, 7}, values);
    }

    @Test
    void aWrongLengthOrTypeIsAnErrorNamingIt() {
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> HeapArrays.floats(new float[5], 2, 3));
        assertEquals("5 values for an array of shape [2, 3]", length.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> HeapArrays.toFloats(Nd4j.zeros(DataType.DOUBLE, 2)));
        assertEquals("expected a FLOAT array, got DOUBLE", type.getMessage());
    }
}
