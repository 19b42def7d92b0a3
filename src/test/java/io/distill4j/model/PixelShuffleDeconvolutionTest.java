package io.distill4j.model;

import io.distill4j.data.Task;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DeconvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PixelShuffleDeconvolutionTest {

    private static Deconvolution2D.Builder upSampling() {
        return new Deconvolution2D.Builder().kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Truncate)
                .nIn(3).nOut(4).activation(Activation.IDENTITY);
    }

    @Test
    void computesOnlyTheUnpaddedTwoByTwoStrideTwoLayer() {
        var unet = (Deconvolution2D) UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16))
                .getLayer("dec1_up").conf().getLayer();
        assertTrue(PixelShuffleDeconvolution.computes(unet));
        assertTrue(PixelShuffleDeconvolution.computes(upSampling().build()));
        assertFalse(PixelShuffleDeconvolution.computes(upSampling().kernelSize(3, 3).build()));
        assertFalse(PixelShuffleDeconvolution.computes(upSampling().stride(1, 1).build()));
        assertFalse(PixelShuffleDeconvolution.computes(upSampling().padding(1, 1).build()));
        assertFalse(PixelShuffleDeconvolution.computes(upSampling().dilation(2, 2).build()));
        assertFalse(PixelShuffleDeconvolution.computes(upSampling().convolutionMode(ConvolutionMode.Same).build()));
        assertFalse(PixelShuffleDeconvolution.computes(upSampling().dataFormat(CNN2DFormat.NHWC).build()));
    }

    /** One running layer of {@code conf} with the parameters {@code params} (drawn when null). */
    private static Layer layer(Deconvolution2D conf, DataType type, INDArray params) {
        var nnc = new NeuralNetConfiguration.Builder().dataType(type).seed(7).layer(conf).build();
        long count = conf.initializer().numParams(nnc);
        INDArray view = params == null ? Nd4j.create(type, 1, count) : params.dup();
        Layer layer = conf.instantiate(nnc, null, 0, view, params == null, type);
        layer.setBackpropGradientsViewArray(Nd4j.create(type, 1, count));
        return layer;
    }

    /**
     * Output, input gradient and parameter gradients equal DL4J's own transposed convolution's on odd sizes, with and
     * without bias, for an output gradient that is a strided view (as the decoder's concatenation hands it on).
     */
    @ParameterizedTest(name = "{0}, bias {1}")
    @CsvSource({"DOUBLE, true", "DOUBLE, false", "FLOAT, true", "FLOAT, false"})
    void equalsDl4jsTransposedConvolution(DataType type, boolean bias) {
        Layer ours = layer(new SingleForwardDeconvolution2D(upSampling().hasBias(bias)), type, null);
        Layer dl4j = layer(upSampling().hasBias(bias).build(), type, ours.params());
        assertFalse(dl4j instanceof SingleForwardDeconvolution2D.Impl);
        if (bias) {
            ours.getParam(DeconvolutionParamInitializer.BIAS_KEY).assign(Nd4j.rand(type, 1, 4));
            dl4j.setParam(DeconvolutionParamInitializer.BIAS_KEY, ours.getParam(DeconvolutionParamInitializer.BIAS_KEY));
        }
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(type, 2, 3, 5, 7).subi(0.5);
        INDArray wide = Nd4j.rand(type, 2, 9, 10, 14).subi(0.5);
        INDArray epsilon = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 7), NDArrayIndex.all(),
                NDArrayIndex.all());
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();

        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        ours.setInput(x, none);
        dl4j.setInput(x, none);
        assertTrue(((SingleForwardDeconvolution2D.Impl) ours).pixelShuffled());
        INDArray expected = dl4j.activate(true, none);
        assertClose(expected, ours.activate(true, none), tolerance, "output");
        Pair<Gradient, INDArray> theirs = dl4j.backpropGradient(epsilon.dup(), none);
        Pair<Gradient, INDArray> mine = ours.backpropGradient(epsilon, none);
        assertClose(theirs.getSecond(), mine.getSecond(), tolerance, "input gradient");
        for (String key : theirs.getFirst().gradientForVariable().keySet()) {
            assertClose(theirs.getFirst().getGradientFor(key), mine.getFirst().getGradientFor(key), tolerance, key);
        }
        assertEquals(theirs.getFirst().gradientForVariable().keySet(), mine.getFirst().gradientForVariable().keySet());
    }

    /** Half precision (the float16 quantization) and other types take DL4J's path, with DL4J's result. */
    @Test
    void halfPrecisionTakesDl4jsPath() {
        Layer ours = layer(new SingleForwardDeconvolution2D(upSampling()), DataType.HALF, null);
        Layer dl4j = layer(upSampling().build(), DataType.HALF, ours.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 6).castTo(DataType.HALF);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        ours.setInput(x, none);
        dl4j.setInput(x, none);
        assertFalse(((SingleForwardDeconvolution2D.Impl) ours).pixelShuffled());
        assertEquals(dl4j.activate(false, none), ours.activate(false, none));
        ours.setInput(x.castTo(DataType.FLOAT), none);
        assertFalse(((SingleForwardDeconvolution2D.Impl) ours).pixelShuffled(), "input type differs from the layer's");
    }

    private static void assertClose(INDArray expected, INDArray actual, double relative, String what) {
        assertEquals(expected.shapeInfoToString().replaceAll("Stride.*", ""),
                actual.shapeInfoToString().replaceAll("Stride.*", ""), what + " shape");
        double scale = Math.max(expected.norm2Number().doubleValue(), 1e-30);
        double difference = expected.reshape(actual.shape()).distance2(actual);
        assertTrue(difference <= relative * scale, what + ": relative difference " + difference / scale);
    }
}
