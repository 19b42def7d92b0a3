package io.distill4j.model;

import io.distill4j.data.Task;
import io.distill4j.util.NativeArrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** distill4j's oneDNN convolutions against DL4J's {@code ConvolutionLayer} on the same parameters and input. */
class OneDnnConvolutionTest {
    /** Relative difference (in the 2-norm) allowed between the two in float: summation orders differ. */
    private static final double FLOAT_TOLERANCE = 1e-5;
    private final LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();

    static Stream<Arguments> convolutions() {
        return Stream.of(
                Arguments.of("3x3 same ReLU (the U-Nets')", (Supplier<ConvolutionLayer.Builder>) () ->
                        new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(5).convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.RELU), 9, 7),
                Arguments.of("1x1 without bias", (Supplier<ConvolutionLayer.Builder>) () ->
                        new ConvolutionLayer.Builder(1, 1).nIn(4).nOut(6).hasBias(false)
                                .activation(Activation.IDENTITY), 8, 8),
                Arguments.of("3x3 stride 2 same tanh (uneven padding)", (Supplier<ConvolutionLayer.Builder>) () ->
                        new ConvolutionLayer.Builder(3, 3).nIn(2).nOut(3).stride(2, 2)
                                .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH), 8, 9),
                Arguments.of("5x3 truncate with padding 1,2", (Supplier<ConvolutionLayer.Builder>) () ->
                        new ConvolutionLayer.Builder(5, 3).nIn(3).nOut(4).padding(1, 2)
                                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU), 10, 7),
                Arguments.of("3x3 dilation 2 same", (Supplier<ConvolutionLayer.Builder>) () ->
                        new ConvolutionLayer.Builder(3, 3).nIn(2).nOut(2).dilation(2, 2)
                                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY), 11, 11),
                Arguments.of("2x2 stride 2 strict", (Supplier<ConvolutionLayer.Builder>) () ->
                        new ConvolutionLayer.Builder(2, 2).nIn(3).nOut(8).stride(2, 2)
                                .convolutionMode(ConvolutionMode.Strict).activation(Activation.RELU), 6, 10));
    }

    /** A running layer of {@code conf} on {@code params} (float), with its own gradient view. */
    private static Layer running(org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf, INDArray params) {
        NeuralNetConfiguration configuration = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .layer(conf).build();
        Layer layer = conf.instantiate(configuration, List.of(), 0, params.dup(), false, DataType.FLOAT);
        layer.setBackpropGradientsViewArray(Nd4j.create(DataType.FLOAT, params.shape()));
        return layer;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertTrue(java.util.Arrays.equals(expected.shape(), actual.shape()), what + " shape");
        double scale = Math.max(expected.norm2Number().doubleValue(), 1e-12);
        double relative = expected.distance2(actual) / scale;
        assertTrue(relative <= FLOAT_TOLERANCE, what + ": relative difference " + relative);
    }

    /** Output, input gradient and parameter gradients of one training step, as DL4J's layer and as ours. */
    private void assertSameStep(Layer dl4j, SingleForwardConvolution2D.Impl ours, INDArray x, long seed) {
        dl4j.setInput(x, noWorkspaces);
        ours.setInput(x, noWorkspaces);
        assertTrue(ours.runsOnOneDnn(), "this convolution runs on oneDNN");
        INDArray expected = dl4j.activate(true, noWorkspaces).dup();
        INDArray actual = ours.activate(true, noWorkspaces).dup();
        assertClose(expected, actual, "output");
        Nd4j.getRandom().setSeed(seed);
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, expected.shape()).subi(0.5);
        Pair<Gradient, INDArray> dl4jGrad = dl4j.backpropGradient(epsilon.dup(), noWorkspaces);
        Pair<Gradient, INDArray> ourGrad = ours.backpropGradient(epsilon.dup(), noWorkspaces);
        assertClose(dl4jGrad.getSecond(), ourGrad.getSecond(), "input gradient");
        for (String param : dl4jGrad.getFirst().gradientForVariable().keySet()) {
            assertClose(dl4jGrad.getFirst().getGradientFor(param), ourGrad.getFirst().getGradientFor(param),
                    param + " gradient");
        }
        assertEquals(dl4jGrad.getFirst().gradientForVariable().keySet(),
                ourGrad.getFirst().gradientForVariable().keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convolutions")
    void equalsDl4jsConvolutionForwardAndBackward(String name, Supplier<ConvolutionLayer.Builder> builder,
                                                   int height, int width) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer plain = builder.get().build();
        SingleForwardConvolution2D single = new SingleForwardConvolution2D(builder.get());
        long count = plain.initializer().numParams(new NeuralNetConfiguration.Builder().layer(plain).build());
        Nd4j.getRandom().setSeed(3);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, count).subi(0.5);
        Layer dl4j = running(plain, params);
        var ours = (SingleForwardConvolution2D.Impl) running(single, params);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, plain.getNIn(), height, width).subi(0.5);
        assertSameStep(dl4j, ours, x, 7);
        // another batch size (its own primitives), then the first again (kept ones)
        assertSameStep(dl4j, ours, Nd4j.rand(DataType.FLOAT, 3, plain.getNIn(), height, width).subi(0.5), 8);
        assertSameStep(dl4j, ours, x, 9);
    }

    @Test
    void readsAStridedInputView() {
        ConvolutionLayer.Builder builder = new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU);
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer plain = builder.build();
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 4 * 3 * 9 + 4).subi(0.5);
        INDArray wide = Nd4j.rand(DataType.FLOAT, 2, 7, 6, 6).subi(0.5);
        INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 5), NDArrayIndex.all(),
                NDArrayIndex.all());
        assertFalse(NativeArrays.isContiguous(view));
        assertSameStep(running(plain, params),
                (SingleForwardConvolution2D.Impl) running(new SingleForwardConvolution2D(builder), params), view, 4);
    }

    @Test
    void theStudentsFloatConvolutionsRunOnOneDnnAndDoubleOnesOnDl4j() {
        assertTrue(OneDnn.available(), "the preset loads on the CPU backend");
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            ComputationGraph student = UNetFactory.build(
                    UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16).withDataType(type));
            var conv = (SingleForwardConvolution2D.Impl) student.getLayer("enc1_conv1");
            conv.setInput(Nd4j.rand(type, 1, 3, 16, 16), noWorkspaces);
            assertEquals(type == DataType.FLOAT, conv.runsOnOneDnn(), type.toString());
        }
    }

    @Test
    void aTruncatedOutputThatWouldNeedNegativePaddingIsLeftToDl4j() {
        // 3x3 stride 2 on 6 rows: Truncate drops the last row, which oneDNN would express as padding -1
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(1)
                .stride(2, 2).convolutionMode(ConvolutionMode.Truncate).build();
        assertNull(OneDnnConvolution.Geometry.of(conf, Nd4j.create(DataType.FLOAT, 1, 1, 6, 6)));
        OneDnnConvolution.Geometry odd = OneDnnConvolution.Geometry.of(conf, Nd4j.create(DataType.FLOAT, 1, 1, 7, 7));
        assertNotNull(odd);
        assertEquals(3, odd.outHeight());
        assertEquals(0, odd.padBottom());
    }

    @Test
    void theWrongNumberOfChannelsIsDl4jsError() {
        ConvolutionLayer.Builder builder = new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(2)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 2 * 3 * 9 + 2);
        Layer ours = running(new SingleForwardConvolution2D(builder), params);
        ours.setInput(Nd4j.rand(DataType.FLOAT, 1, 4, 5, 5), noWorkspaces);
        assertThrows(DL4JInvalidInputException.class, () -> ours.activate(true, noWorkspaces));
    }

    /** Three SGD steps in DL4J's workspaces with dropout on the second convolution's input leave equal parameters. */
    @Test
    void threeTrainingStepsInWorkspacesLeaveTheParametersDl4jsLayersLeave() {
        MultiLayerNetwork ours = network(true);
        MultiLayerNetwork dl4j = network(false);
        dl4j.setParams(ours.params().dup());
        Nd4j.getRandom().setSeed(21);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 12, 12);
        INDArray y = Nd4j.rand(DataType.FLOAT, 4, 2, 12, 12);
        for (int step = 0; step < 3; step++) {
            Nd4j.getRandom().setSeed(100 + step);
            ours.fit(new DataSet(x, y));
            Nd4j.getRandom().setSeed(100 + step);
            dl4j.fit(new DataSet(x, y));
        }
        ours.getLayer(0).setInput(x, noWorkspaces); // fit clears it
        assertTrue(((SingleForwardConvolution2D.Impl) ours.getLayer(0)).runsOnOneDnn());
        assertClose(dl4j.params(), ours.params(), "parameters after three steps");
        assertTrue(dl4j.params().distance2(network(false).params()) > 0, "training changed the parameters");
    }

    private static MultiLayerNetwork network(boolean oneDnn) {
        ConvolutionLayer.Builder first = new ConvolutionLayer.Builder(3, 3).nOut(4)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU);
        ConvolutionLayer.Builder second = new ConvolutionLayer.Builder(3, 3).nOut(2)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).dropOut(new Dropout(0.7));
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).list()
                .layer(oneDnn ? new SingleForwardConvolution2D(first) : first.build())
                .layer(oneDnn ? new SingleForwardConvolution2D(second) : second.build())
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(12, 12, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
