package io.distill4j.util;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * An array's elements as a Java buffer over ND4J's native memory, for the layers whose loops run in Java (a load and a
 * store per element where libnd4j took a reference kernel or a six-dimensional strided copy). The buffer does not keep
 * the array alive, and ND4J frees an array's memory when it is garbage-collected: a caller keeps the array reachable
 * ({@code Reference.reachabilityFence}) until it is done with the buffer.
 */
public final class NativeArrays {

    private NativeArrays() {
    }

    /** {@code array} itself when its elements lie one after another in C order, else a C-order copy. */
    public static INDArray contiguous(INDArray array) {
        return isContiguous(array) ? array : array.dup('c');
    }

    /**
     * Whether every dimension's stride is the product of the later sizes (dimensions of size 1 aside: ND4J gives them
     * strides its own default-stride check rejects), whatever the array's offset into its buffer.
     */
    public static boolean isContiguous(INDArray array) {
        int[] lastToFirst = new int[array.rank()];
        for (int i = 0; i < lastToFirst.length; i++) {
            lastToFirst[i] = lastToFirst.length - 1 - i;
        }
        return isDenseInOrder(array, lastToFirst);
    }

    /**
     * Whether {@code array}, of rank 4 ({@code [N, C, H, W]}), is a view of channels-last memory: its elements lie one
     * after another in N, H, W, C order (dimensions of size 1 aside), as {@code nhwc.permute(0, 3, 1, 2)} of a
     * contiguous {@code [N, H, W, C]} array.
     */
    public static boolean isChannelsLast(INDArray array) {
        return array.rank() == 4 && isDenseInOrder(array, new int[]{1, 3, 2, 0});
    }

    /**
     * Whether {@code array}'s elements lie one after another with the dimensions in {@code fastestFirst} varying
     * fastest first: each one's stride the product of the sizes before it (dimensions of size 1 aside: ND4J gives them
     * strides its own default-stride check rejects).
     */
    private static boolean isDenseInOrder(INDArray array, int[] fastestFirst) {
        long expected = 1;
        for (int i : fastestFirst) {
            if (array.size(i) != 1 && array.stride(i) != expected) {
                return false;
            }
            expected *= array.size(i);
        }
        return true;
    }

    /** A contiguous float array's elements, index 0 its first (ND4J positions the buffer at the array's offset). */
    public static FloatBuffer floats(INDArray array) {
        return requireContiguous(array).data().asNioFloat().slice();
    }

    /** A contiguous float array's elements as their IEEE 754 bits (a mask can zero them without a conversion). */
    public static IntBuffer floatBits(INDArray array) {
        if (array.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            throw new IllegalArgumentException("float bits of a " + array.dataType() + " array");
        }
        return requireContiguous(array).data().asNioInt().slice();
    }

    /** As {@link #floats} for a double array. */
    public static DoubleBuffer doubles(INDArray array) {
        return requireContiguous(array).data().asNioDouble().slice();
    }

    /**
     * Frees each array's native memory now instead of when a garbage collection finds its Java object: for arrays made
     * once per step outside any workspace (a teacher's logits, a batch's distillation labels) that nothing reads any
     * more. ND4J frees such memory only at a collection, and with little Java garbage collections are seconds apart:
     * 20-40 steps of them piled up 300 MiB of peak RSS at 128² (README, Performance). Views, workspace arrays and
     * arrays already closed are left alone; null entries are skipped.
     */
    public static void release(INDArray... arrays) {
        for (INDArray array : arrays) {
            if (array != null && array.closeable()) {
                array.close();
            }
        }
    }

    private static INDArray requireContiguous(INDArray array) {
        if (!isContiguous(array)) {
            throw new IllegalArgumentException("a Java loop needs a contiguous C-order array, got "
                    + array.shapeInfoToString());
        }
        return array;
    }
}
