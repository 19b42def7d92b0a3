import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Pointer;

import java.util.Arrays;

/**
 * Which image layout distill4j's oneDNN convolutions should ask for: one 3×3 same-padded convolution (batch 8,
 * float) timed as oneDNN's forward, backward-data and backward-weights primitives (direct algorithm, median of 9 after
 * 2 warm-up calls) with the images in oneDNN's own choice ({@code any}: 16-channel blocks on AVX-512), 8-channel blocks,
 * channels-last (NHWC) and plain NCHW, plus the conversions from and to NCHW. README, Performance, "The convolutions
 * as distill4j's own oneDNN primitives".
 *
 * <pre>
 * taskset -c 1 env OMP_NUM_THREADS=1 java -cp "target/lib/*" notebooks/OneDnnLayoutBenchmark.java IN OUT SIZE [WIDTH [BATCH]]
 * </pre>
 *
 * SIZE is the images' height, and their width too unless WIDTH is given; BATCH defaults to 8. Every buffer is filled
 * before it is timed: memory never written maps the kernel's one shared zero page, whose reads cost no memory traffic
 * (on the NHWC primitives measured both ways it made little difference: backward weights, 4 → 4 channels, 8 × 256²,
 * AVX2, 6.5 ms either way).
 */
public class OneDnnLayoutBenchmark {
    private static final engine ENGINE = new engine(engine.kind.cpu, 0);
    private static final stream STREAM = new stream(ENGINE);

    private static memory.desc desc(long[] dims, memory.format_tag tag) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    private static double medianMillis(Runnable call) {
        double[] ms = new double[9];
        for (int i = -2; i < ms.length; i++) {
            long start = System.nanoTime();
            call.run();
            STREAM._wait();
            if (i >= 0) {
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    /** A buffer in {@code desc}'s layout, every byte written (see the class comment). */
    private static memory filled(memory.desc desc) {
        memory m = new memory(desc, ENGINE);
        Pointer.memset(m.get_data_handle(), 0x3c, desc.get_size()); // 0x3c3c3c3c is 0.0115f
        return m;
    }

    private static Runnable executes(primitive p, IntMemoryMap args) {
        return () -> p.execute(STREAM, args);
    }

    public static void main(String[] args) {
        long in = Long.parseLong(args[0]);
        long out = Long.parseLong(args[1]);
        long height = Long.parseLong(args[2]);
        long width = args.length > 3 ? Long.parseLong(args[3]) : height;
        long batch = args.length > 4 ? Long.parseLong(args[4]) : 8;
        long[] src = {batch, in, height, width};
        long[] dst = {batch, out, height, width};
        long[] weights = {out, in, 3, 3};
        long[] bias = {out};
        long[] stride = {1, 1};
        long[] pad = {1, 1};
        String[] names = {"any", "8-channel blocks", "NHWC", "NCHW"};
        memory.format_tag[] tags = {memory.format_tag.any, memory.format_tag.aBcd8b, memory.format_tag.acdb,
                memory.format_tag.abcd};
        for (int i = 0; i < tags.length; i++) {
            memory.format_tag images = tags[i];
            var forwardDesc = new convolution_forward.primitive_desc(new convolution_forward.desc(
                    dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, desc(src, images),
                    desc(weights, memory.format_tag.any), desc(bias, memory.format_tag.a), desc(dst, images), stride,
                    pad, pad), ENGINE);
            var dataDesc = new convolution_backward_data.primitive_desc(new convolution_backward_data.desc(
                    dnnl.algorithm.convolution_direct, desc(src, images), desc(weights, memory.format_tag.any),
                    desc(dst, images), stride, pad, pad), ENGINE, forwardDesc);
            var weightsDesc = new convolution_backward_weights.primitive_desc(new convolution_backward_weights.desc(
                    dnnl.algorithm.convolution_direct, desc(src, images), desc(weights, memory.format_tag.any),
                    desc(bias, memory.format_tag.a), desc(dst, images), stride, pad, pad), ENGINE, forwardDesc);

            IntMemoryMap forward = new IntMemoryMap();
            memory x = filled(forwardDesc.src_desc());
            memory y = filled(forwardDesc.dst_desc());
            forward.put(dnnl.DNNL_ARG_SRC, x);
            forward.put(dnnl.DNNL_ARG_WEIGHTS, filled(forwardDesc.weights_desc()));
            forward.put(dnnl.DNNL_ARG_BIAS, filled(desc(bias, memory.format_tag.a)));
            forward.put(dnnl.DNNL_ARG_DST, y);
            IntMemoryMap data = new IntMemoryMap();
            data.put(dnnl.DNNL_ARG_DIFF_DST, filled(dataDesc.diff_dst_desc()));
            data.put(dnnl.DNNL_ARG_WEIGHTS, filled(dataDesc.weights_desc()));
            data.put(dnnl.DNNL_ARG_DIFF_SRC, filled(dataDesc.diff_src_desc()));
            IntMemoryMap weightGrad = new IntMemoryMap();
            weightGrad.put(dnnl.DNNL_ARG_SRC, filled(weightsDesc.src_desc()));
            weightGrad.put(dnnl.DNNL_ARG_DIFF_DST, filled(weightsDesc.diff_dst_desc()));
            weightGrad.put(dnnl.DNNL_ARG_DIFF_WEIGHTS, filled(weightsDesc.diff_weights_desc()));
            weightGrad.put(dnnl.DNNL_ARG_DIFF_BIAS, filled(desc(bias, memory.format_tag.a)));

            memory plainX = filled(desc(src, memory.format_tag.abcd));
            memory plainY = filled(desc(dst, memory.format_tag.abcd));
            reorder toLayout = new reorder(plainX, x);
            reorder toPlain = new reorder(y, plainY);
            System.out.printf("%d -> %d channels, %d × %d×%d, %-16s forward %7.2f ms (%s), backward-data %7.2f ms (%s), "
                            + "backward-weights %7.2f ms (%s), NCHW in %5.2f ms, out %5.2f ms%n", in, out, batch,
                    height, width,
                    names[i],
                    medianMillis(executes(new convolution_forward(forwardDesc), forward)),
                    forwardDesc.impl_info_str().getString(),
                    medianMillis(executes(new convolution_backward_data(dataDesc), data)),
                    dataDesc.impl_info_str().getString(),
                    medianMillis(executes(new convolution_backward_weights(weightsDesc), weightGrad)),
                    weightsDesc.impl_info_str().getString(),
                    medianMillis(() -> toLayout.execute(STREAM, plainX, x)),
                    medianMillis(() -> toPlain.execute(STREAM, y, plainY)));
        }
    }
}
