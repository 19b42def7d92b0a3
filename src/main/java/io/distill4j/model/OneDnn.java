package io.distill4j.model;

import io.distill4j.util.NativeArrays;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongFunction;

/**
 * What distill4j's own oneDNN layers share: the CPU engine of JavaCPP's {@code dnnl} preset (the oneDNN version
 * libnd4j links statically, loaded as its own library), memory descriptors in ND4J's and oneDNN's layouts, and the
 * conversion between a caller's plain array and a primitive's layout. {@code -Ddistill4j.onednn=false} switches
 * these layers off (then DL4J's path runs).
 */
final class OneDnn {
    /** System property that switches distill4j's oneDNN layers off when "false". */
    static final String PROPERTY = "distill4j.onednn";

    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);
    /** The CPU engine, or null when the preset does not load here (then every layer takes DL4J's path). */
    static final engine ENGINE = cpuEngine();

    private OneDnn() {
    }

    /** Whether oneDNN can run here at all (CPU backend, preset loaded, not switched off). */
    static boolean available() {
        return ENGINE != null;
    }

    /**
     * A primitive's argument: the caller's plain array and, when the primitive runs another layout, a buffer of that
     * layout and the conversion between the two (into the buffer for inputs, out of it for outputs).
     */
    static final class Port {
        final memory user;
        final memory inner;
        final reorder conversion;
        final long innerFloats;
        /** Whether the caller's array is an NCHW-shaped view of channels-last memory (else contiguous C order). */
        private final boolean userChannelsLast;

        private Port(memory.desc userDesc, memory.desc innerDesc, boolean input, boolean userChannelsLast) {
            this.userChannelsLast = userChannelsLast;
            user = new memory(userDesc, ENGINE, (Pointer) null);
            if (innerDesc.equals(userDesc)) {
                inner = user;
                conversion = null;
                innerFloats = 0;
            } else {
                inner = new memory(innerDesc, ENGINE, (Pointer) null);
                conversion = input ? new reorder(user, inner) : new reorder(inner, user);
                innerFloats = (innerDesc.get_size() + Float.BYTES - 1) / Float.BYTES;
            }
        }

        static Port input(memory.desc userDesc, memory.desc innerDesc) {
            return new Port(userDesc, innerDesc, true, false);
        }

        static Port output(memory.desc userDesc, memory.desc innerDesc) {
            return new Port(userDesc, innerDesc, false, false);
        }

        /**
         * A port for images {@code dims} ({@code [N, C, H, W]}) that the caller holds as contiguous NCHW or, when
         * {@code channelsLast}, as an NCHW-shaped view of channels-last memory ({@link NativeArrays#isChannelsLast}).
         */
        static Port images(long[] dims, boolean channelsLast, memory.desc innerDesc, boolean input) {
            return new Port(channelsLast ? channelsLast(dims) : plain(dims), innerDesc, input, channelsLast);
        }

        /** Points the port at {@code array} and, when it converts, at a buffer from {@code scratch}. */
        void bind(INDArray array, LongFunction<INDArray> scratch) {
            user.set_data_handle(pointerTo(array, userChannelsLast));
            if (conversion != null) {
                inner.set_data_handle(pointerTo(scratch.apply(innerFloats)));
            }
        }

        /** {@link #bind}, then converts {@code array} into the primitive's layout. */
        void bindIn(INDArray array, LongFunction<INDArray> scratch, stream stream) {
            bind(array, scratch);
            if (conversion != null) {
                conversion.execute(stream, user, inner);
            }
        }

        /** Converts the primitive's result into the caller's array. */
        void out(stream stream) {
            if (conversion != null) {
                conversion.execute(stream, inner, user);
            }
        }
    }

    /**
     * The arrays of one primitive call, kept reachable until it has run: oneDNN holds only their addresses, and ND4J
     * frees an array's memory when the array is garbage-collected, which the JVM may do as soon as no Java code reads
     * the reference any more (a scratch buffer right after its address was taken). Hands out the call's scratch
     * arrays from {@code scratch} and keeps them too.
     */
    static final class Call implements LongFunction<INDArray> {
        private final LongFunction<INDArray> scratch;
        private final java.util.List<INDArray> held = new java.util.ArrayList<>();

        Call(LongFunction<INDArray> scratch) {
            this.scratch = scratch;
        }

        @Override
        public INDArray apply(long floats) {
            INDArray array = scratch.apply(floats);
            held.add(array);
            return array;
        }

        /** Ends the call: its scratch arrays and {@code arrays} stay reachable up to here. */
        void end(Object... arrays) {
            java.lang.ref.Reference.reachabilityFence(held);
            java.lang.ref.Reference.reachabilityFence(arrays);
        }
    }

    /**
     * Images and their gradients channels-last (NHWC): on the thin layers oneDNN's own choice, 16-channel blocks,
     * computes 4 channels as 16 (backward-data 57 against 7 ms at 4 → 4 channels, 256², batch 8, one core;
     * {@code notebooks/OneDnnLayoutBenchmark.java}), and on wide ones NHWC ran as fast or faster in every shape of the
     * U-Nets we timed.
     */
    static memory.desc channelsLast(long[] dims) {
        return new memory.desc(dims, memory.data_type.f32, memory.format_tag.acdb);
    }

    static memory.desc any(long[] dims) {
        return new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
    }

    /** NCHW, OIHW or a vector: ND4J's C order for each rank. */
    static memory.desc plain(long[] dims) {
        memory.format_tag tag = switch (dims.length) {
            case 1 -> memory.format_tag.a;
            case 4 -> memory.format_tag.abcd;
            default -> throw new IllegalArgumentException("no plain layout for rank " + dims.length);
        };
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    /** The address of {@code array}'s first element (ND4J's buffer of a view starts there); it must be contiguous. */
    static Pointer pointerTo(INDArray array) {
        return pointerTo(array, false);
    }

    /**
     * The address of {@code array}'s first element, {@code array} an NCHW-shaped view of channels-last memory when
     * {@code channelsLast}, else contiguous in C order.
     */
    static Pointer pointerTo(INDArray array, boolean channelsLast) {
        if (channelsLast ? !NativeArrays.isChannelsLast(array) : !NativeArrays.isContiguous(array)) {
            throw new IllegalArgumentException("oneDNN needs " + (channelsLast
                    ? "an NCHW view of channels-last memory here" : "a contiguous C-order array") + ", got "
                    + array.shapeInfoToString());
        }
        return array.data().addressPointer();
    }

    /**
     * Row-major {@code c = op(a)·op(b) + beta·c} with {@code op(a)} {@code m×k} and {@code op(b)} {@code k×n}, each
     * operand transposed when its flag says so, on oneDNN's JIT GEMM. A call on pointers creates no array: ND4J's
     * {@code Nd4j.gemm} on a slice creates several (each with a shape buffer and a record the collector must process).
     */
    static void sgemm(boolean transA, boolean transB, long m, long n, long k, FloatPointer a, long lda,
                      FloatPointer b, long ldb, float beta, FloatPointer c, long ldc) {
        int status = dnnl.dnnl_sgemm(transA ? (byte) 'T' : (byte) 'N', transB ? (byte) 'T' : (byte) 'N', m, n, k, 1f,
                a, lda, b, ldb, beta, c, ldc);
        if (status != dnnl.dnnl_success) {
            throw new IllegalStateException("dnnl_sgemm failed with status " + status + " for m=" + m + ", n=" + n
                    + ", k=" + k);
        }
    }

    /** {@link #pointerTo(INDArray)} as floats, for {@link #sgemm}. */
    static FloatPointer floatsOf(INDArray array) {
        return new FloatPointer(pointerTo(array));
    }

    private static engine cpuEngine() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return null;
        }
        try {
            if (!"CPU".equalsIgnoreCase(Acceleration.backend())) {
                return null;
            }
            return new engine(engine.kind.cpu, 0);
        } catch (Throwable e) { // a platform without the preset's natives: DL4J's path still works
            LOG.warn("oneDNN layers unavailable, using DL4J's: {}", e.toString());
            return null;
        }
    }
}
