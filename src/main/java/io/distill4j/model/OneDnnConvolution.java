package io.distill4j.model;

import io.distill4j.util.NativeArrays;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A 2-D convolution on NCHW float arrays as oneDNN primitives of its own, called through JavaCPP's {@code dnnl}
 * preset, for {@link SingleForwardConvolution2D}. libnd4j runs the same oneDNN, but builds its primitives on every
 * call, converts inputs, weights and outputs between plain NCHW and oneDNN's blocked layouts around each of them, and
 * asks for the weight gradient with {@code convolution_auto}, which on the student's thin layers picks Winograd. Here
 * each primitive is built once per input shape with the direct algorithm, images channels-last
 * ({@link OneDnn#channelsLast}: oneDNN's own choice pads 4 channels to 16) and weights in oneDNN's layout. The
 * converted copies are the caller's working memory (DL4J workspaces), so they cost no memory between calls. A forward
 * call can apply the layer's ReLU inside the convolution (a oneDNN post-op, no pass of its own over the output) and
 * read or write images that are NCHW-shaped views of channels-last memory, which skips their conversion: a U-Net
 * block's first convolution hands its output to the second that way at inference ({@link Forward}).
 *
 * <p>oneDNN has no double-precision convolution on the CPU: double networks, other data formats, weight noise and any
 * backend but ND4J's CPU one take DL4J's path; {@link OneDnn} says whether oneDNN runs here.
 */
final class OneDnnConvolution {
    /** Shapes a layer keeps primitives for: training, validation and a last smaller batch. */
    private static final int SHAPES_KEPT = 4;

    private final stream stream = new stream(OneDnn.ENGINE);
    private final Map<Geometry, Primitives> primitives = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Geometry, Primitives> eldest) {
            return size() > SHAPES_KEPT;
        }
    };

    /**
     * The geometry of {@code conf}'s convolution on {@code input} in a network of {@code dataType} when this class
     * computes it, else null (then DL4J's path runs, with its own errors for bad input).
     */
    static Geometry geometryIfComputed(ConvolutionLayer conf, INDArray input, DataType dataType) {
        boolean computed = OneDnn.available() && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && conf.getWeightNoise() == null && dataType == DataType.FLOAT && input != null
                && input.dataType() == DataType.FLOAT && input.rank() == 4 && input.size(1) == conf.getNIn();
        return computed ? Geometry.of(conf, input) : null;
    }

    /**
     * How one forward call runs: whether oneDNN applies a ReLU to the result (a post-op in the convolution's own
     * kernel instead of a pass of its own over the output), and whether the caller's input and output images are
     * NCHW-shaped views of channels-last memory ({@link NativeArrays#isChannelsLast}: no conversion to or from the
     * primitive's layout then) rather than contiguous NCHW.
     */
    record Forward(boolean relu, boolean channelsLastInput, boolean channelsLastOutput) {
    }

    /**
     * Writes the convolution of {@code input} {@code [N, C, H, W]} with {@code weights} {@code [O, C, kH, kW]} and
     * {@code bias} ({@code O} values, or null), with a ReLU when {@code how} says so, into {@code output}
     * {@code [N, O, outH, outW]}, all float; images laid out as {@code how} says, weights and bias contiguous.
     * {@code workingMemory} gives working memory of a number of floats.
     */
    void forward(Geometry geometry, Forward how, INDArray input, INDArray weights, INDArray bias, INDArray output,
                 LongFunction<INDArray> workingMemory) {
        OneDnn.Call scratch = new OneDnn.Call(workingMemory);
        ForwardPrimitive p = primitivesFor(geometry).forward(how);
        p.src.bindIn(input, scratch, stream);
        p.weights.bindIn(weights, scratch, stream);
        if (bias != null) {
            p.bias.set_data_handle(OneDnn.pointerTo(bias));
        }
        p.dst.bind(output, scratch);
        p.primitive.execute(stream, p.args);
        p.dst.out(stream);
        stream._wait();
        scratch.end(input, weights, bias, output);
    }

    /**
     * The gradients of {@link #forward} given {@code delta}, the gradient at its output (pre-activation): the
     * input's into {@code inputGrad}, the weights' into {@code weightGrad} {@code [O, C, kH, kW]} and the bias's into
     * {@code biasGrad} ({@code O} values; null when there is no bias), all contiguous float; they are overwritten.
     */
    void backward(Geometry geometry, INDArray input, INDArray weights, INDArray delta, INDArray inputGrad,
                  INDArray weightGrad, INDArray biasGrad, LongFunction<INDArray> workingMemory) {
        OneDnn.Call scratch = new OneDnn.Call(workingMemory);
        Backward b = primitivesFor(geometry).backward();
        b.dataDiffDst.bindIn(delta, scratch, stream);
        b.weights.bindIn(weights, scratch, stream);
        b.diffSrc.bind(inputGrad, scratch);
        b.data.execute(stream, b.dataArgs);
        b.diffSrc.out(stream);

        if (!b.sharedDiffDst) { // else the data pass's converted copy serves
            b.weightsDiffDst.bindIn(delta, scratch, stream);
        }
        b.src.bindIn(input, scratch, stream);
        b.diffWeights.bind(weightGrad, scratch);
        if (biasGrad != null) {
            b.diffBias.set_data_handle(OneDnn.pointerTo(biasGrad));
        }
        b.weightsGrad.execute(stream, b.weightsArgs);
        b.diffWeights.out(stream);
        stream._wait();
        scratch.end(input, weights, delta, inputGrad, weightGrad, biasGrad);
    }

    /**
     * Overwrites {@code output}, a kept ReLU output of {@code geometry}'s convolution, with the gradient at the ReLU's
     * input given {@code epsilon} at its output ({@code epsilon} where the output is positive, else 0), as DL4J's ReLU
     * overwrites its argument; both contiguous float. oneDNN's JIT eltwise kernel: libnd4j's ReLU derivative calls a
     * {@code std::function} per element, and a Java loop over direct buffers does not vectorise.
     */
    void reluGradient(Geometry geometry, INDArray output, INDArray epsilon) {
        ReluBackward relu = primitivesFor(geometry).reluBackward();
        relu.output.set_data_handle(OneDnn.pointerTo(output));
        relu.epsilon.set_data_handle(OneDnn.pointerTo(epsilon));
        relu.primitive.execute(stream, relu.args);
        stream._wait();
        java.lang.ref.Reference.reachabilityFence(output);
        java.lang.ref.Reference.reachabilityFence(epsilon);
    }

    private Primitives primitivesFor(Geometry geometry) {
        return primitives.computeIfAbsent(geometry, Primitives::new);
    }

    /**
     * One convolution's sizes in oneDNN's terms. oneDNN takes the padding on each side; DL4J's Same mode pads the
     * top-left by {@code getSameModeTopLeftPadding} and the bottom-right by what the output size leaves.
     */
    record Geometry(long n, long inChannels, long inHeight, long inWidth, long outChannels, long outHeight,
                    long outWidth, long kernelHeight, long kernelWidth, long strideHeight, long strideWidth,
                    long dilationHeight, long dilationWidth, long padTop, long padLeft, long padBottom,
                    long padRight, boolean bias) {

        /**
         * The geometry of {@code conf} on {@code input} (only its shape is read), or null when oneDNN cannot express it
         * (a Truncate-mode layer whose output drops input rows would need negative padding). Invalid sizes raise
         * DL4J's own errors.
         */
        static Geometry of(ConvolutionLayer conf, INDArray input) {
            long[] inputShape = input.shape();
            int[] kernel = conf.getKernelSize();
            int[] stride = conf.getStride();
            int[] dilation = conf.getDilation();
            int[] in = {(int) inputShape[2], (int) inputShape[3]};
            int[] pad;
            int[] out;
            if (conf.getConvolutionMode() == ConvolutionMode.Same) {
                out = ConvolutionUtils.getOutputSize(input, kernel, stride, null,
                        ConvolutionMode.Same, dilation, CNN2DFormat.NCHW);
                pad = ConvolutionUtils.getSameModeTopLeftPadding(out, in, kernel, stride, dilation);
            } else {
                pad = conf.getPadding();
                out = ConvolutionUtils.getOutputSize(input, kernel, stride, pad,
                        conf.getConvolutionMode(), dilation, CNN2DFormat.NCHW);
            }
            long padBottom = (long) (out[0] - 1) * stride[0] + (long) (kernel[0] - 1) * dilation[0] + 1 - in[0]
                    - pad[0];
            long padRight = (long) (out[1] - 1) * stride[1] + (long) (kernel[1] - 1) * dilation[1] + 1 - in[1]
                    - pad[1];
            if (padBottom < 0 || padRight < 0) {
                return null;
            }
            return new Geometry(inputShape[0], inputShape[1], in[0], in[1], conf.getNOut(), out[0], out[1],
                    kernel[0], kernel[1], stride[0], stride[1], dilation[0], dilation[1], pad[0], pad[1],
                    padBottom, padRight, conf.hasBias());
        }

        long[] src() {
            return new long[]{n, inChannels, inHeight, inWidth};
        }

        long[] weights() {
            return new long[]{outChannels, inChannels, kernelHeight, kernelWidth};
        }

        long[] dst() {
            return new long[]{n, outChannels, outHeight, outWidth};
        }

        long[] strides() {
            return new long[]{strideHeight, strideWidth};
        }

        /** oneDNN counts dilation from 0 (no gaps), DL4J from 1. */
        long[] dilates() {
            return new long[]{dilationHeight - 1, dilationWidth - 1};
        }

        long[] paddingBefore() {
            return new long[]{padTop, padLeft};
        }

        long[] paddingAfter() {
            return new long[]{padBottom, padRight};
        }

        /** The bias vector's layout, or oneDNN's zero descriptor, which builds a primitive without bias. */
        memory.desc biasDesc() {
            return bias ? OneDnn.plain(new long[]{outChannels}) : new memory.desc();
        }

        /** A handle for the bias vector or its gradient (pointed at the array each call), or null without bias. */
        memory biasMemory() {
            return bias ? new memory(biasDesc(), OneDnn.ENGINE, (Pointer) null) : null;
        }
    }

    /** A layer's primitives for one geometry, each built on first use. */
    private final class Primitives {
        final Geometry geometry;
        private final Map<Forward, ForwardPrimitive> forwards = new HashMap<>(4);
        private Backward backward;
        private ReluBackward reluBackward;

        Primitives(Geometry g) {
            geometry = g;
        }

        ForwardPrimitive forward(Forward how) {
            return forwards.computeIfAbsent(how, h -> new ForwardPrimitive(geometry, h));
        }

        Backward backward() {
            if (backward == null) {
                // the hint is a description only: no forward primitive (JIT kernel) is built for it
                backward = new Backward(geometry, ForwardPrimitive.describe(geometry, false));
            }
            return backward;
        }

        ReluBackward reluBackward() {
            if (reluBackward == null) {
                reluBackward = new ReluBackward(OneDnn.plain(geometry.dst()));
            }
            return reluBackward;
        }
    }

    /** One forward primitive (direct algorithm, channels-last images inside) and its arguments. */
    private static final class ForwardPrimitive {
        final convolution_forward.primitive_desc desc;
        final convolution_forward primitive;
        final OneDnn.Port src;
        final OneDnn.Port weights;
        final memory bias;
        final OneDnn.Port dst;
        final IntMemoryMap args = new IntMemoryMap();

        ForwardPrimitive(Geometry g, Forward how) {
            desc = describe(g, how.relu());
            primitive = new convolution_forward(desc);
            src = OneDnn.Port.images(g.src(), how.channelsLastInput(), desc.src_desc(), true);
            weights = OneDnn.Port.input(OneDnn.plain(g.weights()), desc.weights_desc());
            dst = OneDnn.Port.images(g.dst(), how.channelsLastOutput(), desc.dst_desc(), false);
            bias = g.biasMemory();
            args.put(dnnl.DNNL_ARG_SRC, src.inner);
            args.put(dnnl.DNNL_ARG_WEIGHTS, weights.inner);
            if (bias != null) {
                args.put(dnnl.DNNL_ARG_BIAS, bias);
            }
            args.put(dnnl.DNNL_ARG_DST, dst.inner);
        }

        /** The forward convolution of {@code g}, channels-last images, with a ReLU post-op when {@code relu}. */
        static convolution_forward.primitive_desc describe(Geometry g, boolean relu) {
            primitive_attr attributes = new primitive_attr();
            if (relu) {
                post_ops reluPostOp = new post_ops();
                reluPostOp.append_eltwise(1f, dnnl.algorithm.eltwise_relu, 0f, 0f);
                attributes.set_post_ops(reluPostOp);
            }
            return new convolution_forward.primitive_desc(new convolution_forward.desc(
                    dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, OneDnn.channelsLast(g.src()),
                    OneDnn.any(g.weights()), g.biasDesc(), OneDnn.channelsLast(g.dst()), g.strides(), g.dilates(),
                    g.paddingBefore(), g.paddingAfter()), attributes, OneDnn.ENGINE);
        }
    }

    /** ReLU's backward pass from its output, in place over the output ({@link #reluGradient}). */
    private static final class ReluBackward {
        final memory output;
        final memory epsilon;
        final eltwise_backward primitive;
        final IntMemoryMap args = new IntMemoryMap();

        ReluBackward(memory.desc plain) {
            eltwise_forward.primitive_desc hint = new eltwise_forward.primitive_desc(new eltwise_forward.desc(
                    dnnl.prop_kind.forward_training, dnnl.algorithm.eltwise_relu_use_dst_for_bwd, plain, 0f, 0f),
                    OneDnn.ENGINE);
            primitive = new eltwise_backward(new eltwise_backward.primitive_desc(new eltwise_backward.desc(
                    dnnl.algorithm.eltwise_relu_use_dst_for_bwd, plain, plain, 0f, 0f), OneDnn.ENGINE, hint));
            output = new memory(plain, OneDnn.ENGINE, (Pointer) null);
            epsilon = new memory(plain, OneDnn.ENGINE, (Pointer) null);
            args.put(dnnl.DNNL_ARG_DST, output);
            args.put(dnnl.DNNL_ARG_DIFF_DST, epsilon);
            args.put(dnnl.DNNL_ARG_DIFF_SRC, output);
        }
    }

    /** The backward-data and backward-weights primitives of one geometry and their arguments. */
    private static final class Backward {
        final convolution_backward_data data;
        final OneDnn.Port dataDiffDst;
        final OneDnn.Port weights;
        final OneDnn.Port diffSrc;
        final IntMemoryMap dataArgs = new IntMemoryMap();
        final convolution_backward_weights weightsGrad;
        final OneDnn.Port src;
        final OneDnn.Port weightsDiffDst;
        /** Whether both primitives read the output gradient in the same layout (converted once, then). */
        final boolean sharedDiffDst;
        final OneDnn.Port diffWeights;
        final memory diffBias;
        final IntMemoryMap weightsArgs = new IntMemoryMap();
        /** The forward description the backward ones were built against, kept as long as they are. */
        final convolution_forward.primitive_desc hint;

        Backward(Geometry g, convolution_forward.primitive_desc hint) {
            this.hint = hint;
            convolution_backward_data.primitive_desc dataDesc = new convolution_backward_data.primitive_desc(
                    new convolution_backward_data.desc(dnnl.algorithm.convolution_direct,
                            OneDnn.channelsLast(g.src()), OneDnn.any(g.weights()), OneDnn.channelsLast(g.dst()),
                            g.strides(), g.dilates(), g.paddingBefore(), g.paddingAfter()),
                    OneDnn.ENGINE, hint);
            data = new convolution_backward_data(dataDesc);
            dataDiffDst = OneDnn.Port.input(OneDnn.plain(g.dst()), dataDesc.diff_dst_desc());
            weights = OneDnn.Port.input(OneDnn.plain(g.weights()), dataDesc.weights_desc());
            diffSrc = OneDnn.Port.output(OneDnn.plain(g.src()), dataDesc.diff_src_desc());
            dataArgs.put(dnnl.DNNL_ARG_DIFF_DST, dataDiffDst.inner);
            dataArgs.put(dnnl.DNNL_ARG_WEIGHTS, weights.inner);
            dataArgs.put(dnnl.DNNL_ARG_DIFF_SRC, diffSrc.inner);

            convolution_backward_weights.primitive_desc weightsPrimitiveDesc =
                    new convolution_backward_weights.primitive_desc(new convolution_backward_weights.desc(
                            dnnl.algorithm.convolution_direct, OneDnn.channelsLast(g.src()), OneDnn.any(g.weights()),
                            g.biasDesc(), OneDnn.channelsLast(g.dst()), g.strides(), g.dilates(), g.paddingBefore(),
                            g.paddingAfter()), OneDnn.ENGINE, hint);
            weightsGrad = new convolution_backward_weights(weightsPrimitiveDesc);
            src = OneDnn.Port.input(OneDnn.plain(g.src()), weightsPrimitiveDesc.src_desc());
            sharedDiffDst = weightsPrimitiveDesc.diff_dst_desc().equals(dataDesc.diff_dst_desc());
            weightsDiffDst = sharedDiffDst ? dataDiffDst
                    : OneDnn.Port.input(OneDnn.plain(g.dst()), weightsPrimitiveDesc.diff_dst_desc());
            diffWeights = OneDnn.Port.output(OneDnn.plain(g.weights()), weightsPrimitiveDesc.diff_weights_desc());
            diffBias = g.biasMemory();
            weightsArgs.put(dnnl.DNNL_ARG_SRC, src.inner);
            weightsArgs.put(dnnl.DNNL_ARG_DIFF_DST, weightsDiffDst.inner);
            weightsArgs.put(dnnl.DNNL_ARG_DIFF_WEIGHTS, diffWeights.inner);
            if (diffBias != null) {
                weightsArgs.put(dnnl.DNNL_ARG_DIFF_BIAS, diffBias);
            }
        }
    }
}
