package io.distill4j.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The running layer of {@link MaxPooling2x2}: forward and backward as one loop over the 2×2 windows of NCHW float or
 * double arrays, reading and writing ND4J's buffers in place. The backward pass recomputes each window's arg-max from
 * the stored input (the first of equal maxima, as DL4J's own pooling does), so nothing is kept between the passes.
 * Anything else (odd sizes, other types, NHWC, dropout on the input, masks) goes to DL4J's implementation.
 */
public class MaxPooling2x2Impl extends SubsamplingLayer {

    public MaxPooling2x2Impl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Whether the loop applies to this input; else DL4J's implementation runs. */
    private boolean direct(INDArray x) {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        ConvolutionMode mode = c.getConvolutionMode();
        return x != null && x.rank() == 4 && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE)
                && x.size(2) % 2 == 0 && x.size(3) % 2 == 0 && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && (mode == ConvolutionMode.Same || mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict)
                && c.getIDropout() == null && maskArray == null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!direct(input)) {
            return super.activate(training, workspaceMgr);
        }
        long n = input.size(0), channels = input.size(1), h = input.size(2), w = input.size(3);
        INDArray x = dense(input);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(),
                new long[] {n, channels, h / 2, w / 2}, 'c');
        Planes planes = Planes.of(x, out);
        int oh = (int) h / 2, ow = (int) w / 2, width = (int) w;
        long maps = n * channels;
        for (long m = 0; m < maps; m++) {
            int in = (int) (m * h * w);
            int o = (int) (m * oh * ow);
            for (int i = 0; i < oh; i++) {
                int row = in + 2 * i * width;
                for (int j = 0; j < ow; j++) {
                    int at = row + 2 * j;
                    planes.out(o++, planes.in(argMax(planes, at, width)));
                }
            }
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!direct(input)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        long n = input.size(0), channels = input.size(1), h = input.size(2), w = input.size(3);
        INDArray x = dense(input);
        INDArray eps = dense(epsilon.castTo(input.dataType()));
        // zeroed: only each window's arg-max gets a gradient
        INDArray grad = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), new long[] {n, channels, h, w}, 'c');
        Planes planes = Planes.of(x, grad);
        Planes epsPlanes = Planes.of(eps, null);
        int oh = (int) h / 2, ow = (int) w / 2, width = (int) w;
        long maps = n * channels;
        for (long m = 0; m < maps; m++) {
            int in = (int) (m * h * w);
            int o = (int) (m * oh * ow);
            for (int i = 0; i < oh; i++) {
                int row = in + 2 * i * width;
                for (int j = 0; j < ow; j++) {
                    planes.out(argMax(planes, row + 2 * j, width), epsPlanes.in(o++));
                }
            }
        }
        return new Pair<>(new DefaultGradient(), grad);
    }

    /** Index of the largest of the window at {@code at}, {@code at + 1}, and the same in the next row; first wins ties. */
    private static int argMax(Planes p, int at, int width) {
        int best = at;
        double max = p.in(at);
        double v = p.in(at + 1);
        if (v > max) {
            max = v;
            best = at + 1;
        }
        v = p.in(at + width);
        if (v > max) {
            max = v;
            best = at + width;
        }
        if (p.in(at + width + 1) > max) {
            best = at + width + 1;
        }
        return best;
    }

    /** {@code a} itself when its buffer is its values in C order from offset 0, else a C-order copy. */
    private static INDArray dense(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a)
                && a.data().length() == a.length() ? a : a.dup('c');
    }

    /** The input and output buffers of one pass, as float or double views of ND4J's memory. */
    private abstract static class Planes {
        abstract double in(int i);

        abstract void out(int i, double value);

        static Planes of(INDArray in, INDArray out) {
            if (in.dataType() == DataType.FLOAT) {
                FloatBuffer src = in.data().asNioFloat();
                FloatBuffer dst = out == null ? null : out.data().asNioFloat();
                return new Planes() {
                    @Override
                    double in(int i) {
                        return src.get(i);
                    }

                    @Override
                    void out(int i, double value) {
                        dst.put(i, (float) value);
                    }
                };
            }
            DoubleBuffer src = in.data().asNioDouble();
            DoubleBuffer dst = out == null ? null : out.data().asNioDouble();
            return new Planes() {
                @Override
                double in(int i) {
                    return src.get(i);
                }

                @Override
                void out(int i, double value) {
                    dst.put(i, value);
                }
            };
        }
    }
}
