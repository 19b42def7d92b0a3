package io.distill4j.model;

import io.distill4j.util.NativeArrays;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A 2×2 stride-2 transposed convolution without padding as one matrix product per image and a pixel shuffle: each
 * input pixel writes its own 2×2 output block, so {@code out[n, o, 2h+a, 2w+b] = Σ_i x[n, i, h, w]·W[i, o, a, b] + b[o]}
 * is the product of the weights as a {@code [4·nOut, nIn]} matrix with the image as {@code [nIn, H·W]}, rows then
 * spread over the output's 2×2 blocks. libnd4j hands this layer to oneDNN's general transposed convolution, which on
 * the student's thin layers ran 54 ms a call at 256² (8 → 4 channels, batch 8) where the product and the shuffle take
 * about 7 ms. The backward pass is the same in reverse: gather each output gradient's 2×2 blocks into rows, then two
 * products give the input and weight gradients.
 *
 * <p>Weights are DL4J's {@code [nIn, nOut, 2, 2]}; the product's rows are ordered {@code (o, a, b)}, so the weights in
 * C order are the product's matrix transposed. Float products run on oneDNN's GEMM through pointers
 * ({@link OneDnn#sgemm}), which creates no ND4J array: {@code Nd4j.gemm} on each image's slice created a dozen a
 * call, half the Java garbage of the student's inference (each array's shape buffer and deallocation record outlive
 * a young collection). Double products, and any where oneDNN does not run, take ND4J's. The products and the
 * shuffle's loops need contiguous arrays and copy any other.
 */
final class PixelShuffleDeconvolution {

    private PixelShuffleDeconvolution() {
    }

    /** Whether {@code conf} is the transposed convolution this class computes (the U-Nets' up-sampling). */
    static boolean computes(Deconvolution2D conf) {
        return Arrays.equals(conf.getKernelSize(), new int[]{2, 2}) && Arrays.equals(conf.getStride(), new int[]{2, 2})
                && Arrays.equals(conf.getPadding(), new int[]{0, 0}) && Arrays.equals(conf.getDilation(), new int[]{1, 1})
                && conf.getConvolutionMode() != ConvolutionMode.Same && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && conf.getWeightNoise() == null;
    }

    /** The weights {@code [nIn, nOut, 2, 2]} as the product's {@code [4·nOut, nIn]} matrix, rows {@code (o, a, b)}. */
    static INDArray productMatrix(INDArray weights) {
        long nIn = weights.size(0);
        long nOut = weights.size(1);
        return weights.permute(1, 2, 3, 0).dup('c').reshape('c', 4 * nOut, nIn);
    }

    /**
     * Writes the transposed convolution of {@code input} {@code [N, nIn, H, W]} into {@code output}
     * {@code [N, nOut, 2H, 2W]}, contiguous; {@code products} is scratch of shape {@code [N, 4·nOut, H·W]}, contiguous;
     * {@code bias} {@code [nOut]} (any shape of that length) or null.
     */
    static void forward(INDArray input, INDArray weights, INDArray bias, INDArray output, INDArray products) {
        INDArray x = NativeArrays.contiguous(input);
        long n = x.size(0);
        long nIn = x.size(1);
        long rows = 4 * weights.size(1);
        long pixels = x.size(2) * x.size(3);
        if (onOneDnn(x)) {
            // the weights in C order are [nIn, 4·nOut]: the product's matrix, transposed
            INDArray w = NativeArrays.contiguous(weights);
            FloatPointer matrix = OneDnn.floatsOf(w);
            FloatPointer images = OneDnn.floatsOf(x);
            FloatPointer out = OneDnn.floatsOf(products);
            for (long i = 0; i < n; i++) {
                OneDnn.sgemm(true, false, rows, pixels, nIn, matrix, rows, images.position(i * nIn * pixels), pixels,
                        0f, out.position(i * rows * pixels), pixels);
            }
            Reference.reachabilityFence(w);
        } else {
            INDArray matrix = productMatrix(weights);
            INDArray images = x.reshape('c', n, nIn, pixels);
            for (int i = 0; i < n; i++) {
                Nd4j.gemm(matrix, images.slice(i), products.slice(i), false, false, 1.0, 0.0);
            }
        }
        Reference.reachabilityFence(x);
        double[] biasValues = bias == null ? new double[(int) weights.size(1)] : values(bias);
        new Shuffle(output, (int) x.size(2), (int) x.size(3)).spread(products, biasValues);
    }

    /**
     * The gradients of {@link #forward} given {@code delta}, the gradient at its output: writes the input's gradient
     * into {@code inputGrad} {@code [N, nIn, H, W]} (contiguous), the weights' into {@code weightGrad}
     * {@code [nIn, nOut, 2, 2]} and the bias's into {@code biasGrad} (null when there is no bias); {@code products}
     * is scratch as in {@link #forward}.
     */
    static void backward(INDArray input, INDArray weights, INDArray delta, INDArray inputGrad, INDArray weightGrad,
                         INDArray biasGrad, INDArray products) {
        INDArray x = NativeArrays.contiguous(input);
        long n = x.size(0);
        long nIn = x.size(1);
        long nOut = weights.size(1);
        long rows = 4 * nOut;
        long pixels = x.size(2) * x.size(3);
        double[] biasSums = new Shuffle(NativeArrays.contiguous(delta), (int) x.size(2), (int) x.size(3))
                .gather(products);
        if (onOneDnn(x)) {
            INDArray w = NativeArrays.contiguous(weights);
            // the weights' gradient in C order is [nIn, 4·nOut]: each image adds x·rowsᵀ to it
            INDArray wGrad = NativeArrays.isContiguous(weightGrad) ? weightGrad
                    : Nd4j.createUninitialized(DataType.FLOAT, weightGrad.shape(), 'c');
            FloatPointer matrix = OneDnn.floatsOf(w);
            FloatPointer images = OneDnn.floatsOf(x);
            FloatPointer imageGrads = OneDnn.floatsOf(inputGrad);
            FloatPointer gathered = OneDnn.floatsOf(products);
            FloatPointer matrixGrad = OneDnn.floatsOf(wGrad);
            for (long i = 0; i < n; i++) {
                gathered.position(i * rows * pixels);
                images.position(i * nIn * pixels);
                OneDnn.sgemm(false, false, nIn, pixels, rows, matrix, rows, gathered, pixels, 0f,
                        imageGrads.position(i * nIn * pixels), pixels);
                OneDnn.sgemm(false, true, nIn, rows, pixels, images, pixels, gathered, pixels, i == 0 ? 0f : 1f,
                        matrixGrad, rows);
            }
            Reference.reachabilityFence(w);
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(inputGrad);
            Reference.reachabilityFence(products);
            if (wGrad != weightGrad) {
                weightGrad.assign(wGrad);
            }
        } else {
            INDArray matrix = productMatrix(weights);
            INDArray matrixGrad = Nd4j.createUninitialized(weights.dataType(), rows, nIn);
            INDArray images = x.reshape('c', n, nIn, pixels);
            INDArray imageGrads = inputGrad.reshape('c', n, nIn, pixels);
            for (int i = 0; i < n; i++) {
                INDArray gathered = products.slice(i);
                Nd4j.gemm(matrix, gathered, imageGrads.slice(i), true, false, 1.0, 0.0);
                Nd4j.gemm(gathered, images.slice(i), matrixGrad, false, true, 1.0, i == 0 ? 0.0 : 1.0);
            }
            weightGrad.assign(matrixGrad.reshape('c', nOut, 2, 2, nIn).permute(3, 0, 1, 2));
        }
        if (biasGrad != null) {
            setValues(biasGrad, biasSums);
        }
    }

    /** Float products on oneDNN's GEMM where it runs; double ones, and any without oneDNN, on ND4J's. */
    private static boolean onOneDnn(INDArray x) {
        return x.dataType() == DataType.FLOAT && OneDnn.available();
    }

    /** A vector's values, read in place. */
    private static double[] values(INDArray vector) {
        INDArray v = NativeArrays.contiguous(vector);
        double[] values = new double[(int) v.length()];
        if (v.dataType() == DataType.DOUBLE) {
            NativeArrays.doubles(v).get(values);
        } else {
            FloatBuffer floats = NativeArrays.floats(v);
            for (int i = 0; i < values.length; i++) {
                values[i] = floats.get(i);
            }
        }
        Reference.reachabilityFence(v);
        return values;
    }

    /** Writes {@code values} into {@code vector} (any shape of that length), in place when it is contiguous. */
    private static void setValues(INDArray vector, double[] values) {
        if (!NativeArrays.isContiguous(vector)) {
            vector.assign(Nd4j.create(values).castTo(vector.dataType()).reshape(vector.shape()));
        } else if (vector.dataType() == DataType.DOUBLE) {
            NativeArrays.doubles(vector).put(values);
        } else {
            FloatBuffer floats = NativeArrays.floats(vector);
            for (int i = 0; i < values.length; i++) {
                floats.put(i, (float) values[i]);
            }
        }
        Reference.reachabilityFence(vector);
    }

    /**
     * The index arithmetic between a contiguous {@code [N, C, 2H, 2W]} array and the contiguous products
     * {@code [N, 4C, H·W]} whose row {@code 4c + 2a + b} holds the pixels {@code (2h+a, 2w+b)} of channel {@code c}.
     * Its loops run on the arrays' native buffers: per element they are a load and a store, where ND4J's permuted
     * assignment of the same six-dimensional view took 20 ms at 256².
     */
    private static final class Shuffle {
        private final INDArray spatial;
        private final int height;
        private final int width;
        private final int images;
        private final int channels;

        Shuffle(INDArray spatial, int height, int width) {
            if (spatial.rank() != 4 || spatial.size(2) != 2L * height || spatial.size(3) != 2L * width
                    || !NativeArrays.isContiguous(spatial)) {
                throw new IllegalArgumentException("expected a contiguous [N, C, " + 2 * height + ", " + 2 * width
                        + "] array, got shape " + Arrays.toString(spatial.shape()) + ", strides "
                        + Arrays.toString(spatial.stride()));
            }
            this.spatial = spatial;
            this.height = height;
            this.width = width;
            this.images = (int) spatial.size(0);
            this.channels = (int) spatial.size(1);
        }

        /** {@code spatial[n, c, 2h+a, 2w+b] = products[n, 4c+2a+b, h·W+w] + bias[c]}. */
        void spread(INDArray products, double[] bias) {
            if (spatial.dataType() == DataType.DOUBLE) {
                DoubleBuffer to = NativeArrays.doubles(spatial);
                DoubleBuffer from = NativeArrays.doubles(products);
                forEachRow((source, target, c) -> {
                    for (int w = 0; w < width; w++) {
                        to.put(target + 2 * w, from.get(source + w) + bias[c]);
                    }
                });
            } else {
                FloatBuffer to = NativeArrays.floats(spatial);
                FloatBuffer from = NativeArrays.floats(products);
                forEachRow((source, target, c) -> {
                    float b = (float) bias[c];
                    for (int w = 0; w < width; w++) {
                        to.put(target + 2 * w, from.get(source + w) + b);
                    }
                });
            }
            keepReachable(products);
        }

        /** The arrays behind the NIO views stay reachable up to here (ND4J frees collected arrays' memory). */
        private void keepReachable(INDArray products) {
            Reference.reachabilityFence(spatial);
            Reference.reachabilityFence(products);
        }

        /**
         * {@code products[n, 4c+2a+b, h·W+w] = spatial[n, c, 2h+a, 2w+b]}; returns each channel's sum over
         * everything (the bias gradient when {@code spatial} is the output's gradient).
         */
        double[] gather(INDArray products) {
            double[] sums = new double[channels];
            if (spatial.dataType() == DataType.DOUBLE) {
                DoubleBuffer from = NativeArrays.doubles(spatial);
                DoubleBuffer to = NativeArrays.doubles(products);
                forEachRow((target, source, c) -> {
                    double sum = 0;
                    for (int w = 0; w < width; w++) {
                        double value = from.get(source + 2 * w);
                        to.put(target + w, value);
                        sum += value;
                    }
                    sums[c] += sum;
                });
            } else {
                FloatBuffer from = NativeArrays.floats(spatial);
                FloatBuffer to = NativeArrays.floats(products);
                forEachRow((target, source, c) -> {
                    float sum = 0;
                    for (int w = 0; w < width; w++) {
                        float value = from.get(source + 2 * w);
                        to.put(target + w, value);
                        sum += value;
                    }
                    sums[c] += sum;
                });
            }
            keepReachable(products);
            return sums;
        }

        private interface Row {
            /** One product row segment ({@code W} values from {@code product}) against its spatial row. */
            void copy(int product, int spatialStart, int channel);
        }

        /** Every product row segment with its spatial row; both arrays hold {@code 4·H·W} values a channel map. */
        private void forEachRow(Row row) {
            int pixels = height * width;
            for (int map = 0; map < images * channels; map++) {
                for (int ab = 0; ab < 4; ab++) {
                    int a = ab >> 1;
                    int b = ab & 1;
                    int product = (map * 4 + ab) * pixels;
                    int plane = map * 4 * pixels + b;
                    for (int h = 0; h < height; h++) {
                        row.copy(product + h * width, plane + (2 * h + a) * 2 * width, map % channels);
                    }
                }
            }
        }
    }
}
