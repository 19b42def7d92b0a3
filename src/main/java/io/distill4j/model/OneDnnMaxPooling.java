package io.distill4j.model;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * The forward pass of {@link DirectMaxPooling2D}'s 2×2 stride-2 max pooling on NCHW float arrays as oneDNN's JIT
 * pooling on a channels-last copy: on plain NCHW oneDNN only has its reference kernel for thin maps, and the Java loop
 * over the windows cannot vectorise (8% of a student inference at 256² in {@code perf}). The backward pass stays the
 * layer's loop, which needs nothing kept from this pass and routes ties to the first maximum as DL4J does.
 */
final class OneDnnMaxPooling {
    private final stream stream = new stream(OneDnn.ENGINE);
    /** The primitive of the last input shape (a new shape builds a new one; oneDNN caches its kernels). */
    private long[] shape;
    private pooling_forward pooling;
    private OneDnn.Port src;
    private OneDnn.Port dst;
    private final IntMemoryMap args = new IntMemoryMap();

    /**
     * Writes the maxima of {@code input}'s 2×2 windows ({@code [N, C, H, W]}, even H and W, contiguous float) into
     * {@code output} ({@code [N, C, H/2, W/2]}, contiguous float); {@code workingMemory} gives working memory of a
     * number of floats.
     */
    void forward(INDArray input, INDArray output, LongFunction<INDArray> workingMemory) {
        OneDnn.Call scratch = new OneDnn.Call(workingMemory);
        if (!Arrays.equals(shape, input.shape())) {
            build(input.shape());
        }
        src.bindIn(input, scratch, stream);
        dst.bind(output, scratch);
        pooling.execute(stream, args);
        dst.out(stream);
        stream._wait();
        scratch.end(input, output);
    }

    private void build(long[] inputShape) {
        long[] outputShape = {inputShape[0], inputShape[1], inputShape[2] / 2, inputShape[3] / 2};
        long[] window = {2, 2};
        long[] noPadding = {0, 0};
        pooling_forward.primitive_desc desc = new pooling_forward.primitive_desc(new pooling_forward.desc(
                dnnl.prop_kind.forward_inference, dnnl.algorithm.pooling_max, OneDnn.channelsLast(inputShape),
                OneDnn.channelsLast(outputShape), window, window, noPadding, noPadding), OneDnn.ENGINE);
        pooling = new pooling_forward(desc);
        src = OneDnn.Port.input(OneDnn.plain(inputShape), desc.src_desc());
        dst = OneDnn.Port.output(OneDnn.plain(outputShape), desc.dst_desc());
        args.put(dnnl.DNNL_ARG_SRC, src.inner);
        args.put(dnnl.DNNL_ARG_DST, dst.inner);
        shape = inputShape.clone();
    }
}
