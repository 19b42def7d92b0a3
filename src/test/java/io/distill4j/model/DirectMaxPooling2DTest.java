package io.distill4j.model;

import io.distill4j.loss.DistillationOutputLayer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The direct 2×2 max pooling computes what DL4J's own pooling computes, forward and backward, and saves like it. */
class DirectMaxPooling2DTest {

    /** conv 3×3 (tanh) → pool → conv 3×3 (ReLU: equal zeros in windows, so ties are exercised) → pool → 1×1 logits → loss. */
    private static ComputationGraph graph(boolean direct, DataType type, int height, int width, boolean adam) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(5).dataType(type).updater(adam ? new Adam(1e-2) : new NoOp()).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(height, width, 2))
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).build(), "in")
                .addLayer("pool1", pool(direct), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU).build(), "pool1")
                .addLayer("pool2", pool(direct), "conv2")
                .addLayer("logits", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.IDENTITY).build(), "pool2")
                .addLayer("out", new DistillationOutputLayer.Builder().alpha(1.0).temperature(1.0).build(), "logits")
                .setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    private static Layer pool(boolean direct) {
        var builder = new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2);
        return direct ? new DirectMaxPooling2D(builder) : builder.build();
    }

    private static INDArray classIds(DataType type, long n, long h, long w) {
        return Transforms.floor(Nd4j.rand(type, n, 1, h, w).muli(3), false);
    }

    /** Outputs, then parameter gradients, of both graphs on the same parameters and batch, within {@code tolerance}. */
    private static void assertSameForwardAndBackward(DataType type, int height, int width, double tolerance) {
        Nd4j.getRandom().setSeed(11);
        ComputationGraph dl4j = graph(false, type, height, width, false);
        ComputationGraph direct = graph(true, type, height, width, false);
        direct.setParams(dl4j.params().dup());
        INDArray x = Nd4j.randn(type, 2, 2, height, width);
        Map<String, INDArray> expected = dl4j.feedForward(x, true);
        Map<String, INDArray> actual = direct.feedForward(x, true);
        boolean evenSizes = height % 2 == 0 && width % 2 == 0;
        assertEquals(evenSizes, ((DirectMaxPooling2D.Impl) direct.getLayer("pool1")).direct(x), "the loop runs");
        for (String vertex : new String[] {"pool1", "pool2", "out"}) {
            assertArrayEquals(expected.get(vertex).shape(), actual.get(vertex).shape(), vertex);
            assertTrue(expected.get(vertex).equalsWithEps(actual.get(vertex), tolerance), vertex);
        }
        INDArray labels = classIds(type, 2, expected.get("logits").size(2), expected.get("logits").size(3));
        dl4j.setInputs(x);
        dl4j.setLabels(labels);
        dl4j.computeGradientAndScore();
        direct.setInputs(x);
        direct.setLabels(labels);
        direct.computeGradientAndScore();
        assertEquals(dl4j.score(), direct.score(), tolerance * Math.max(1, Math.abs(dl4j.score())));
        INDArray g0 = dl4j.gradient().gradient();
        INDArray g1 = direct.gradient().gradient();
        double scale = Math.max(1e-8, g0.amaxNumber().doubleValue());
        assertTrue(g0.sub(g1).amaxNumber().doubleValue() <= tolerance * scale,
                "largest gradient difference " + g0.sub(g1).amaxNumber() + " of " + scale);
    }

    @Test
    void equalsDl4jsPoolingInDoubleWithin1e5() {
        assertSameForwardAndBackward(DataType.DOUBLE, 8, 12, 1e-5);
    }

    @Test
    void equalsDl4jsPoolingInFloatWithin1e3Relative() {
        assertSameForwardAndBackward(DataType.FLOAT, 16, 8, 1e-3);
    }

    /** oneDNN's float forward pass gives each window's maximum exactly, ReLU zeros (ties) included, shape after shape. */
    @Test
    void theFloatForwardPassOnOneDnnIsEachWindowsMaximum() {
        assertTrue(OneDnn.available());
        OneDnnMaxPooling pooling = new OneDnnMaxPooling();
        for (long[] shape : new long[][]{{2, 3, 6, 8}, {1, 4, 4, 4}, {2, 3, 6, 8}}) {
            Nd4j.getRandom().setSeed(shape[1]);
            INDArray x = org.nd4j.linalg.ops.transforms.Transforms.relu(Nd4j.rand(DataType.FLOAT, shape).subi(0.5));
            INDArray out = Nd4j.create(DataType.FLOAT, shape[0], shape[1], shape[2] / 2, shape[3] / 2);
            pooling.forward(x, out, n -> Nd4j.createUninitialized(DataType.FLOAT, n));
            for (int n = 0; n < shape[0]; n++) {
                for (int c = 0; c < shape[1]; c++) {
                    for (int h = 0; h < shape[2] / 2; h++) {
                        for (int w = 0; w < shape[3] / 2; w++) {
                            float max = Math.max(Math.max(x.getFloat(n, c, 2 * h, 2 * w), x.getFloat(n, c, 2 * h, 2 * w + 1)),
                                    Math.max(x.getFloat(n, c, 2 * h + 1, 2 * w), x.getFloat(n, c, 2 * h + 1, 2 * w + 1)));
                            assertEquals(max, out.getFloat(n, c, h, w), 0f, "window " + n + "," + c + "," + h + "," + w);
                        }
                    }
                }
            }
        }
    }

    @Test
    void oddSizesTakeDl4jsSamePaddedPath() {
        // 7×6 → 4×3 (Same pads the odd height) → 2×2: the direct loop declines, DL4J's implementation runs
        assertSameForwardAndBackward(DataType.DOUBLE, 7, 6, 1e-10);
        ComputationGraph direct = graph(true, DataType.DOUBLE, 7, 6, false);
        assertEquals(ConvolutionMode.Same, ((SubsamplingLayer) direct.getLayer("pool1").conf().getLayer()).getConvolutionMode());
    }

    @Test
    void passesDl4jGradientCheckInDoublePrecision() {
        Nd4j.getRandom().setSeed(3);
        ComputationGraph graph = graph(true, DataType.DOUBLE, 8, 8, false);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 2, 8, 8);
        INDArray labels = classIds(DataType.DOUBLE, 2, 2, 2);
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[] {x}).labels(new INDArray[] {labels})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
            assertTrue(ok, "gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @Test
    void trainsLikeDl4jsPoolingInsideWorkspaces() {
        // fit (workspaces on, float) three times on the same batches: the parameters stay equal
        Nd4j.getRandom().setSeed(21);
        ComputationGraph dl4j = graph(false, DataType.FLOAT, 16, 16, true);
        ComputationGraph direct = graph(true, DataType.FLOAT, 16, 16, true);
        direct.setParams(dl4j.params().dup());
        for (int i = 0; i < 3; i++) {
            DataSet batch = new DataSet(Nd4j.randn(DataType.FLOAT, 4, 2, 16, 16), classIds(DataType.FLOAT, 4, 4, 4));
            dl4j.fit(batch);
            direct.fit(batch);
        }
        INDArray difference = dl4j.params().sub(direct.params());
        assertTrue(difference.amaxNumber().doubleValue() <= 1e-4, "parameters differ by " + difference.amaxNumber());
    }

    @Test
    void theUNetsPoolWithTheLoopAndOtherPoolingsTakeDl4jsPath() {
        ComputationGraph unet = UNetFactory.build(UNetSpec.student(io.distill4j.data.Task.SEGMENTATION, 3, 6, 16, 16));
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 4, 16, 16);
        assertTrue(((DirectMaxPooling2D.Impl) unet.getLayer("enc1_pool")).direct(x));
        assertFalse(((DirectMaxPooling2D.Impl) unet.getLayer("enc1_pool")).direct(x.castTo(DataType.HALF)));
        for (SubsamplingLayer.Builder other : new SubsamplingLayer.Builder[] {
                new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2),
                new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2),
                new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(1, 1)}) {
            var conf = new NeuralNetConfiguration.Builder().layer(new DirectMaxPooling2D(other)).build();
            var layer = (DirectMaxPooling2D.Impl) conf.getLayer().instantiate(conf, null, 0, null, false,
                    DataType.FLOAT);
            assertFalse(layer.direct(x), other.toString());
        }
    }

    @Test
    void roundTripsThroughModelSerializer(@TempDir File dir) throws Exception {
        ComputationGraph graph = graph(true, DataType.FLOAT, 8, 8, true);
        File file = new File(dir, "pool.zip");
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        Layer pool = restored.getLayer("pool1").conf().getLayer();
        assertSame(DirectMaxPooling2D.class, pool.getClass());
        assertSame(DirectMaxPooling2D.Impl.class, restored.getLayer("pool1").getClass());
        INDArray x = Nd4j.randn(DataType.FLOAT, 1, 2, 8, 8);
        assertTrue(graph.outputSingle(x).equalsWithEps(restored.outputSingle(x), 1e-6));
        assertEquals(graph.getConfiguration().toJson(), restored.getConfiguration().toJson());
    }
}
