package io.distill4j.util;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Selecting examples (dimension 0) of ND4J arrays of any rank. */
public final class Examples {

    private Examples() {
    }

    /** The examples at {@code indices}, in that order, copied into a new array of the same rank. */
    public static INDArray select(INDArray array, int[] indices) {
        long[] shape = array.shape().clone();
        INDArray flat = array.reshape('c', shape[0], array.length() / shape[0]);
        shape[0] = indices.length;
        return Nd4j.pullRows(flat, 1, indices).reshape('c', shape);
    }
}
