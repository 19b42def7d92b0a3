package io.distill4j.model;

import io.distill4j.util.LayerInstances;
import io.distill4j.util.NativeArrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Collection;

/**
 * DL4J's {@link SubsamplingLayer} whose 2×2 stride-2 max pooling (the U-Nets') runs as a Java loop over the windows:
 * DL4J hands oneDNN plain NCHW, which gets oneDNN's reference {@code simple_nchw} kernel on the student's thin maps
 * (22 ms forward and 30 ms backward for 8 × 4 × 256² on one core, against 2.3 and 10 ms for the loop). Where
 * distill4j's oneDNN layers run ({@link OneDnn}), the float forward pass is oneDNN's JIT pooling on a channels-last copy
 * instead ({@link OneDnnMaxPooling}); the backward pass is always the loop. Any other
 * pooling, odd sizes, dropout on the input or a mask takes DL4J's path. The configuration and its JSON are DL4J's, so
 * exporters that read a subsampling layer's fields read this one's.
 */
public class DirectMaxPooling2D extends SubsamplingLayer {

    /** For JSON deserialization. */
    public DirectMaxPooling2D() {
    }

    /** The pooling {@code builder} describes, run directly where it is a 2×2 stride-2 max pooling. */
    public DirectMaxPooling2D(SubsamplingLayer.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return LayerInstances.wire(new Impl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** The running layer: the loop for even-sized NCHW float or double input, DL4J's pooling otherwise. */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer {
        /** Float forward passes on oneDNN where it runs (built on first use). */
        private OneDnnMaxPooling oneDnnForward;

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** Whether the loop computes this layer on {@code x}. */
        boolean direct(INDArray x) {
            SubsamplingLayer c = layerConf();
            // the nested SubsamplingLayer.PoolingType shadows the top-level enum the getter returns
            return c.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX
                    && Arrays.equals(c.getKernelSize(), new int[]{2, 2}) && Arrays.equals(c.getStride(), new int[]{2, 2}) && Arrays.equals(c.getPadding(), new int[]{0, 0})
                    && Arrays.equals(c.getDilation(), new int[]{1, 1}) && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                    && c.getConvolutionMode() != ConvolutionMode.Causal && c.getIDropout() == null
                    && maskArray == null && x != null && x.rank() == 4 && x.size(2) % 2 == 0 && x.size(3) % 2 == 0
                    && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            if (!direct(input)) {
                return super.activate(training, workspaceMgr);
            }
            INDArray x = NativeArrays.contiguous(input);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(),
                    new long[]{x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2}, 'c');
            if (x.dataType() == DataType.FLOAT && OneDnn.available()) {
                if (oneDnnForward == null) {
                    oneDnnForward = new OneDnnMaxPooling();
                }
                oneDnnForward.forward(x, out,
                        floats -> workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, floats));
                return out;
            }
            Windows windows = new Windows(x);
            if (x.dataType() == DataType.DOUBLE) {
                windows.maxima(NativeArrays.doubles(x), NativeArrays.doubles(out));
            } else {
                windows.maxima(NativeArrays.floats(x), NativeArrays.floats(out));
            }
            java.lang.ref.Reference.reachabilityFence(x); // its buffer was read through an NIO view only
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            if (!direct(input)) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            INDArray x = NativeArrays.contiguous(input);
            INDArray eps = NativeArrays.contiguous(epsilon.castTo(x.dataType()));
            INDArray grad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
            Windows windows = new Windows(x);
            if (x.dataType() == DataType.DOUBLE) {
                windows.routeGradient(NativeArrays.doubles(x), NativeArrays.doubles(eps), NativeArrays.doubles(grad));
            } else {
                windows.routeGradient(NativeArrays.floats(x), NativeArrays.floats(eps), NativeArrays.floats(grad));
            }
            java.lang.ref.Reference.reachabilityFence(x); // read through NIO views only
            java.lang.ref.Reference.reachabilityFence(eps);
            return new Pair<>(new DefaultGradient(), grad);
        }
    }

    /**
     * The 2×2 windows of a contiguous {@code [N, C, H, W]} array. Ties go to the first maximum in row order, as in
     * DL4J's own pooling (a ReLU's zeros tie often; the gradient sent to a zero is then cancelled by the ReLU anyway).
     */
    private record Windows(int maps, int height, int width) {

        Windows(INDArray x) {
            this((int) (x.size(0) * x.size(1)), (int) x.size(2), (int) x.size(3));
        }

        void maxima(FloatBuffer in, FloatBuffer out) {
            int o = 0;
            for (int row = 0; row < maps * height; row += 2) {
                int top = row * width;
                for (int w = 0; w < width; w += 2) {
                    int at = top + w;
                    out.put(o++, in.get(at + first(in.get(at), in.get(at + 1), in.get(at + width),
                            in.get(at + width + 1), width)));
                }
            }
        }

        void maxima(DoubleBuffer in, DoubleBuffer out) {
            int o = 0;
            for (int row = 0; row < maps * height; row += 2) {
                int top = row * width;
                for (int w = 0; w < width; w += 2) {
                    int at = top + w;
                    out.put(o++, in.get(at + first(in.get(at), in.get(at + 1), in.get(at + width),
                            in.get(at + width + 1), width)));
                }
            }
        }

        /** {@code grad} gets each window's output gradient at the window's maximum and zero elsewhere. */
        void routeGradient(FloatBuffer in, FloatBuffer eps, FloatBuffer grad) {
            int o = 0;
            for (int row = 0; row < maps * height; row += 2) {
                int top = row * width;
                for (int w = 0; w < width; w += 2) {
                    int at = top + w;
                    grad.put(at, 0f);
                    grad.put(at + 1, 0f);
                    grad.put(at + width, 0f);
                    grad.put(at + width + 1, 0f);
                    grad.put(at + first(in.get(at), in.get(at + 1), in.get(at + width), in.get(at + width + 1),
                            width), eps.get(o++));
                }
            }
        }

        void routeGradient(DoubleBuffer in, DoubleBuffer eps, DoubleBuffer grad) {
            int o = 0;
            for (int row = 0; row < maps * height; row += 2) {
                int top = row * width;
                for (int w = 0; w < width; w += 2) {
                    int at = top + w;
                    grad.put(at, 0.0);
                    grad.put(at + 1, 0.0);
                    grad.put(at + width, 0.0);
                    grad.put(at + width + 1, 0.0);
                    grad.put(at + first(in.get(at), in.get(at + 1), in.get(at + width), in.get(at + width + 1),
                            width), eps.get(o++));
                }
            }
        }

        /**
         * Where the window's first maximum in row order lies, as an offset from its top-left element: the top row's
         * maximum unless the bottom row's is strictly larger. Selects rather than branches, so random maxima do not
         * cost branch mispredictions.
         */
        private static int first(double topLeft, double topRight, double bottomLeft, double bottomRight, int width) {
            int top = topRight > topLeft ? 1 : 0;
            double topMax = topRight > topLeft ? topRight : topLeft;
            int bottom = bottomRight > bottomLeft ? width + 1 : width;
            double bottomMax = bottomRight > bottomLeft ? bottomRight : bottomLeft;
            return bottomMax > topMax ? bottom : top;
        }
    }
}
