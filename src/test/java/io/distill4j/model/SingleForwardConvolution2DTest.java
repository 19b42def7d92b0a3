package io.distill4j.model;

import io.distill4j.data.Task;
import io.distill4j.util.NativeArrays;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleForwardConvolution2DTest {

    /** The same graph on DL4J's own ConvolutionLayer, Deconvolution2D and SubsamplingLayer. */
    private static ComputationGraphConfiguration onDl4jLayers(ComputationGraphConfiguration conf) {
        String json = conf.toJson();
        String plain = json.replace(SingleForwardConvolution2D.class.getName(), ConvolutionLayer.class.getName())
                .replace(SingleForwardDeconvolution2D.class.getName(), Deconvolution2D.class.getName())
                .replace(DirectMaxPooling2D.class.getName(), SubsamplingLayer.class.getName());
        assertFalse(plain.equals(json), "the configuration has no single-forward layers");
        return ComputationGraphConfiguration.fromJson(plain);
    }

    /** Score and every gradient of a training step, dropout masks drawn from the same seed. */
    private static INDArray gradient(ComputationGraph graph, INDArray x, INDArray labels, double[] score) {
        Nd4j.getRandom().setSeed(11);
        graph.setInputs(x);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        score[0] = graph.score();
        return graph.gradient().gradient().dup();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void theStudentsTrainingStepEqualsDl4jsOwnLayersWithDropout(DataType type) {
        UNetSpec spec = UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16).withDataType(type);
        ComputationGraph single = UNetFactory.build(spec);
        assertInstanceOf(SingleForwardConvolution2D.Impl.class, single.getLayer("enc1_conv2"));
        assertInstanceOf(SingleForwardDeconvolution2D.Impl.class, single.getLayer("dec1_up"));
        ComputationGraph dl4j = new ComputationGraph(onDl4jLayers(single.getConfiguration()));
        dl4j.init(single.params().dup(), true);
        assertFalse(dl4j.getLayer("enc1_conv2") instanceof SingleForwardConvolution2D.Impl);
        assertFalse(dl4j.getLayer("enc1_pool") instanceof DirectMaxPooling2D.Impl);
        assertFalse(dl4j.getLayer("dec1_up") instanceof SingleForwardDeconvolution2D.Impl);

        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(type, 2, 3, 16, 16);
        INDArray ids = Transforms.floor(Nd4j.rand(type, 2, 1, 16, 16).muli(6), false);
        double[] scoreSingle = new double[1];
        double[] scoreDl4j = new double[1];
        INDArray g1 = gradient(single, x, ids, scoreSingle);
        INDArray g2 = gradient(dl4j, x, ids, scoreDl4j);
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-6;
        assertEquals(scoreDl4j[0], scoreSingle[0], tolerance * Math.abs(scoreDl4j[0]));
        assertTrue(g1.distance2(g2) <= tolerance * g2.norm2Number().doubleValue(),
                "relative gradient difference " + g1.distance2(g2) / g2.norm2Number().doubleValue());
        // dropout acted in both (a step without it scores differently)
        Nd4j.getRandom().setSeed(11);
        assertTrue(Math.abs(dl4j.score(new org.nd4j.linalg.dataset.DataSet(x, ids), false) - scoreDl4j[0]) > 1e-6);
    }

    /** Inference too: fused ReLU, conv1 handing its output to conv2 channels-last, through the whole U-Net. */
    @Test
    void theStudentsInferenceEqualsDl4jsOwnLayers() {
        ComputationGraph single = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32));
        ComputationGraph dl4j = new ComputationGraph(onDl4jLayers(single.getConfiguration()));
        dl4j.init(single.params().dup(), true);
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray expected = dl4j.outputSingle(false, x);
        INDArray actual = single.outputSingle(false, x);
        assertTrue(expected.equalsWithEps(actual, 1e-5), "largest difference "
                + Transforms.abs(expected.sub(actual)).maxNumber());
    }

    @Test
    void atInferenceTheFirstConvolutionOfABlockHandsItsOutputOnChannelsLast() {
        ComputationGraph graph = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16));
        var conv1 = (SingleForwardConvolution2D.Impl) graph.getLayer("enc1_conv1");
        var conv2 = (SingleForwardConvolution2D.Impl) graph.getLayer("enc1_conv2");
        assertTrue(((SingleForwardConvolution2D) conv1.conf().getLayer()).isChannelsLastOutput());
        assertFalse(((SingleForwardConvolution2D) conv2.conf().getLayer()).isChannelsLastOutput());
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        conv1.setInput(x, noWorkspaces);
        INDArray view = conv1.activate(false, noWorkspaces);
        assertTrue(NativeArrays.isChannelsLast(view) && !NativeArrays.isContiguous(view), view.shapeInfoToString());
        INDArray training = conv1.activate(true, noWorkspaces);
        assertTrue(NativeArrays.isContiguous(training));
        assertEquals(training, view); // ReLU applied by oneDNN, the same values in either layout
        assertEquals(0.0, training.minNumber().doubleValue());

        // conv2 reads the view as it is and gives what it gives for the contiguous copy
        conv2.setInput(view, noWorkspaces);
        INDArray fromView = conv2.activate(false, noWorkspaces).dup();
        conv2.setInput(view.dup('c'), noWorkspaces);
        assertEquals(conv2.activate(false, noWorkspaces), fromView);

        // the setting survives the configuration's JSON
        var restored = ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
        assertTrue(((SingleForwardConvolution2D) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                restored.getVertices().get("enc1_conv1")).getLayerConf().getLayer()).isChannelsLastOutput());
    }

    @Test
    void aModelSavedWithoutTheSettingGetsItWhenLoaded(@TempDir Path dir) throws Exception {
        ComputationGraph built = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16));
        String json = built.getConfiguration().toJson();
        String before = json.replaceAll("\"channelsLastOutput\"\\s*:\\s*true", "\"channelsLastOutput\" : false");
        assertFalse(before.equals(json));
        ComputationGraph old = new ComputationGraph(ComputationGraphConfiguration.fromJson(before));
        old.init(built.params(), false);
        assertFalse(((SingleForwardConvolution2D) old.getLayer("enc1_conv1").conf().getLayer()).isChannelsLastOutput());
        File file = dir.resolve("old.zip").toFile();
        ModelSerializer.writeModel(old, file, false);
        ComputationGraph loaded = ModelFiles.load(file.toPath());
        // dec1_conv2's only reader is the 1×1 logits convolution
        for (String name : new String[]{"enc1_conv1", "enc5_conv1", "dec1_conv1", "dec1_conv2"}) {
            assertTrue(((SingleForwardConvolution2D) loaded.getLayer(name).conf().getLayer()).isChannelsLastOutput(),
                    name);
        }
        // read by pooling and concatenation, by the transposed convolution, by the output layer
        for (String name : new String[]{"enc1_conv2", "dec2_conv2", UNetFactory.LOGITS}) {
            assertFalse(((SingleForwardConvolution2D) loaded.getLayer(name).conf().getLayer()).isChannelsLastOutput(),
                    name);
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16);
        assertTrue(built.outputSingle(false, x).equalsWithEps(loaded.outputSingle(false, x), 1e-6));
    }

    /** The backward pass takes the training output instead of running the convolution again. */
    @Test
    void theBackwardPassReusesTheTrainingOutput() {
        ComputationGraph graph = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16));
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16);
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        var conv = (SingleForwardConvolution2D.Impl) graph.getLayer("enc1_conv1");
        conv.setInput(x, noWorkspaces);
        INDArray out = conv.activate(true, noWorkspaces);
        assertSame(out, conv.preOutput4d(true, true, noWorkspaces).getFirst());
        conv.activate(false, noWorkspaces); // inference keeps nothing: DL4J's path
        assertNotSame(out, conv.preOutput4d(true, true, noWorkspaces).getFirst());

        var up = (SingleForwardDeconvolution2D.Impl) graph.getLayer("dec1_up");
        up.setInput(Nd4j.rand(DataType.FLOAT, 1, 8, 8, 8), noWorkspaces);
        INDArray upOut = up.activate(true, noWorkspaces);
        assertSame(upOut, up.preOutput4d(true, true, noWorkspaces).getFirst());
    }

    @Test
    void onlyActivationsWhoseDerivativeTheOutputDeterminesReuseIt() {
        assertTrue(TrainingOutput.derivativeFromOutput(Activation.RELU.getActivationFunction()));
        assertTrue(TrainingOutput.derivativeFromOutput(Activation.IDENTITY.getActivationFunction()));
        assertFalse(TrainingOutput.derivativeFromOutput(Activation.TANH.getActivationFunction()));
        assertFalse(TrainingOutput.derivativeFromOutput(Activation.LEAKYRELU.getActivationFunction()));
        assertFalse(TrainingOutput.derivativeFromOutput(new ActivationReLU(6.0, null, null)));
        assertFalse(TrainingOutput.derivativeFromOutput(new ActivationReLU(null, 0.5, null)));
        assertFalse(TrainingOutput.derivativeFromOutput(new ActivationReLU(null, null, 0.1)));
    }

    /** Relu, identity and (DL4J's own backward pass) tanh, through a transposed convolution, in double. */
    private static ComputationGraph tinyGraph() {
        var g = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(new NoOp())
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(6, 6, 2))
                .addLayer("relu", new SingleForwardConvolution2D(new ConvolutionLayer.Builder(3, 3).nOut(3)
                        .activation(Activation.RELU)), "in")
                .addLayer("tanh", new SingleForwardConvolution2D(new ConvolutionLayer.Builder(3, 3).nOut(3)
                        .activation(Activation.TANH)), "relu")
                .addLayer("up", new SingleForwardDeconvolution2D(new Deconvolution2D.Builder().kernelSize(2, 2)
                        .stride(2, 2).convolutionMode(ConvolutionMode.Truncate).nOut(3)
                        .activation(Activation.IDENTITY)), "tanh")
                .addLayer("logits", new SingleForwardConvolution2D(new ConvolutionLayer.Builder(1, 1).nOut(4)
                        .activation(Activation.IDENTITY)), "up")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "logits")
                .setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    private static INDArray oneHot(long n, int classes, int height, int width) {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, n, classes, height, width);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < height; h++) {
                for (int w = 0; w < width; w++) {
                    labels.putScalar(new long[]{i, (i + h * 3 + w) % classes, h, w}, 1.0);
                }
            }
        }
        return labels;
    }

    @Test
    void passesDl4jGradientCheckInDoublePrecision() {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph graph = tinyGraph();
            Nd4j.getRandom().setSeed(2);
            INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6).subi(0.5);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[]{x}).labels(new INDArray[]{oneHot(2, 4, 12, 12)})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
            assertTrue(ok, "gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @Test
    void modelSerializerRoundTripKeepsTheLayersAndTheirOutputs(@TempDir Path dir) throws Exception {
        ComputationGraph graph = tinyGraph();
        File file = dir.resolve("tiny.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertInstanceOf(SingleForwardConvolution2D.class,
                restored.getLayer("relu").conf().getLayer());
        assertInstanceOf(SingleForwardDeconvolution2D.class, restored.getLayer("up").conf().getLayer());
        assertEquals(graph.getConfiguration(), restored.getConfiguration());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 2, 6, 6);
        assertEquals(graph.outputSingle(x), restored.outputSingle(x));
    }

    @Test
    void badKernelStrideOrPaddingIsTheBuildersError() {
        var error = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new SingleForwardConvolution2D(new ConvolutionLayer.Builder(0, 3).nOut(2)));
        assertTrue(error.getMessage().contains("kernel"), error.getMessage());
    }
}
