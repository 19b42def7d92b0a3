package io.distill4j.compress;

import io.distill4j.util.HeapArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weight tensor quantized to int8 with one symmetric scale per output channel:
 * {@code q = clamp(round(w / s_c), -127, 127)}, {@code s_c = max|w_c| / 127}, so {@code w ≈ q · s_c} within half a
 * step {@code s_c / 2}. Values are kept in the tensor's C order.
 *
 * @param shape  the tensor's shape
 * @param axis   the axis that indexes output channels (see {@link Layers#outputAxis})
 * @param scales one scale per output channel
 * @param values the int8 values, C order
 */
public record Int8Tensor(long[] shape, int axis, float[] scales, byte[] values) {

    public static final int LEVELS = 127;

    public static Int8Tensor quantize(INDArray w, int axis) {
        float[] data = w.castTo(DataType.FLOAT).dup('c').data().asFloat();
        long[] shape = w.shape();
        int channels = (int) shape[axis];
        long inner = inner(shape, axis);
        float[] max = new float[channels];
        for (int i = 0; i < data.length; i++) {
            int c = (int) ((i / inner) % channels);
            max[c] = Math.max(max[c], Math.abs(data[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = max[c] > 0 ? max[c] / LEVELS : 1f;
        }
        byte[] q = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            int c = (int) ((i / inner) % channels);
            q[i] = (byte) Math.max(-LEVELS, Math.min(LEVELS, Math.round(data[i] / scales[c])));
        }
        return new Int8Tensor(shape, axis, scales, q);
    }

    /** {@code q · s_c} as a float32 array of the original shape. */
    public INDArray dequantize() {
        float[] out = new float[values.length];
        long inner = inner(shape, axis);
        int channels = scales.length;
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i] * scales[(int) ((i / inner) % channels)];
        }
        return HeapArrays.floats(out, shape);
    }

    /** quantize → dequantize: what an int8 kernel would see, in float. */
    public static INDArray fakeQuantize(INDArray w, int axis) {
        return quantize(w, axis).dequantize().castTo(w.dataType());
    }

    private static long inner(long[] shape, int axis) {
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return inner;
    }
}
