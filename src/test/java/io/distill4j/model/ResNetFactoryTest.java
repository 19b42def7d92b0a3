package io.distill4j.model;

import io.distill4j.data.Task;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResNetFactoryTest {

    /**
     * torchvision.models.resnet18/34/50(num_classes=1000): sum(p.numel() for p in model.parameters()), the counts
     * its documentation publishes (11.7 M, 21.8 M, 25.6 M). They count a batch norm's gamma and beta only (its
     * running mean and variance are buffers, not parameters); DL4J stores those two as parameters too.
     */
    @ParameterizedTest
    @CsvSource({"RESNET18, 11689512, 4800, 11699112", "RESNET34, 21797672, 8512, 21814696",
            "RESNET50, 25557032, 26560, 25610152"})
    void parameterCountsAreTorchvisionsPlusTheRunningStatistics(ResNetDepth depth, long torchvision,
                                                                long normalisedChannels, long dl4j) {
        ComputationGraph net = ResNetFactory.classifier(ResNetArchitecture.of(depth), 3, 1000, 224, 224);
        long channels = net.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex l && l.getLayerConf().getLayer() instanceof BatchNormalization)
                .mapToLong(v -> ((BatchNormalization) ((LayerVertex) v).getLayerConf().getLayer()).getNOut()).sum();
        assertEquals(normalisedChannels, channels, "batch-normalised channels");
        assertEquals(dl4j, net.numParams(), "DL4J parameters");
        assertEquals(torchvision + 2 * channels, net.numParams(), "torchvision's count + running mean and variance");
        // ResNet-50's 26,560 channels are the Keras/zoo ResNet50's too: the zoo's 25,636,712 is this count plus one
        // bias per convolution channel (Keras' Conv2D default), which torchvision's and this factory's omit
        if (depth == ResNetDepth.RESNET50) {
            assertEquals(ZooModelsTest.KERAS_RESNET50 - 26_560, net.numParams());
        }
        net.close();
    }

    @Test
    void imagenetStemAndStagesHalveTheMapAsPublished() {
        var conf = ResNetFactory.configuration(spec(3, 10, 224, 224), ResNetArchitecture.of(ResNetDepth.RESNET18));
        var types = conf.getLayerActivationTypes(InputType.convolutional(224, 224, 3));
        assertEquals(InputType.convolutional(56, 56, 64), types.get("stem_pool"));
        assertEquals(InputType.convolutional(56, 56, 64), types.get("stage1_block2_out"));
        assertEquals(InputType.convolutional(28, 28, 128), types.get("stage2_block1_out"));
        assertEquals(InputType.convolutional(7, 7, 512), types.get("stage4_block2_out"));
        // identity shortcuts inside a stage and in stage 1; projections where width or size change
        assertNull(conf.getVertices().get("stage1_block1_shortcut_conv"));
        assertNull(conf.getVertices().get("stage2_block2_shortcut_conv"));
        assertNotNull(conf.getVertices().get("stage2_block1_shortcut_conv"));
    }

    @Test
    void widthMultiplierSmallStemAndBottlenecks() {
        ResNetArchitecture quarter = ResNetArchitecture.of(ResNetDepth.RESNET10, 0.25, ResNetStem.SMALL);
        assertEquals(List.of(16, 32, 64, 128), quarter.stageWidths());
        var types = ResNetFactory.configuration(spec(1, 10, 28, 28), quarter)
                .getLayerActivationTypes(InputType.convolutional(28, 28, 1));
        assertEquals(InputType.convolutional(28, 28, 16), types.get("stem_relu"));
        assertEquals(InputType.convolutional(4, 4, 128), types.get("stage4_block1_out"));
        // a bottleneck stage outputs four times its width; the first block projects even at stride 1
        ResNetArchitecture bottleneck = new ResNetArchitecture(null, 0.5, null, ResNetBlock.BOTTLENECK,
                List.of(1, 2), List.of(8, 16));
        var conf = ResNetFactory.configuration(spec(3, 4, 16, 16), bottleneck);
        types = conf.getLayerActivationTypes(InputType.convolutional(16, 16, 3));
        assertEquals(InputType.convolutional(16, 16, 16), types.get("stage1_block1_out"));
        assertEquals(InputType.convolutional(8, 8, 32), types.get("stage2_block2_out"));
        assertNotNull(conf.getVertices().get("stage1_block1_shortcut_conv"));
        assertEquals(11, bottleneck.layers());
        assertEquals("resnet11 x0.5 (bottleneck, stem small, blocks [1, 2], widths [4, 8])", bottleneck.describe());
    }

    @Test
    void oneTrainingStepOnTinyShapesLowersTheLoss() {
        ComputationGraph net = ResNetFactory.build(spec(1, 3, 12, 12).withUpdater(new Adam(1e-2)),
                new ResNetArchitecture(ResNetDepth.RESNET8, 0.25, null, null, null, null));
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 6, 1, 12, 12),
                Nd4j.createFromArray(new float[][]{{0}, {1}, {2}, {0}, {1}, {2}}));
        double before = net.score(batch);
        INDArray weights = net.getParam("stage1_block1_1_conv_W").dup();
        for (int i = 0; i < 5; i++) {
            net.fit(batch);
        }
        assertTrue(net.score(batch) < before, "loss " + before + " -> " + net.score(batch));
        assertTrue(!weights.equals(net.getParam("stage1_block1_1_conv_W")), "the weights moved");
        INDArray probabilities = net.outputSingle(batch.getFeatures());
        assertArrayEquals(new long[]{6, 3}, probabilities.shape());
        assertTrue(probabilities.sum(1).equalsWithEps(Nd4j.ones(DataType.FLOAT, 6), 1e-5));
        assertArrayEquals(new long[]{6, 3}, Logits.of(net, batch.getFeatures()).shape());
        net.close();
    }

    /**
     * Backprop against central differences in double precision, every trainable parameter array (the batch norms'
     * running mean and variance are updated from the batch, not by gradients), 4 or 5 entries of each. Written out
     * rather than with DL4J's {@code GradientCheckUtil}: on this branched graph, with the running statistics excluded
     * by name, it still failed 11 entries it labelled as a convolution's weights whose value was 0.0 and whose
     * numerical gradient was exactly 0 (the signature of a batch norm's running mean, which the score does not read).
     */
    @Test
    void gradientsMatchFiniteDifferencesInDoublePrecision() {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            // basic and bottleneck blocks, identity and projection shortcuts, both stems; alpha < 1 with teacher logits
            for (ResNetArchitecture architecture : List.of(
                    new ResNetArchitecture(null, null, ResNetStem.SMALL, ResNetBlock.BASIC, List.of(2, 1), List.of(2, 3)),
                    new ResNetArchitecture(null, null, ResNetStem.IMAGENET, ResNetBlock.BOTTLENECK, List.of(1, 1),
                            List.of(2, 2)))) {
                UNetSpec spec = spec(2, 3, 8, 8).withUpdater(new NoOp()).withLoss(0.4, 2.0, null)
                        .withDataType(DataType.DOUBLE);
                ComputationGraph net = ResNetFactory.build(spec, architecture);
                INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 2, 8, 8);
                INDArray labels = Nd4j.hstack(Nd4j.createFromArray(new double[][]{{0}, {2}, {1}}),
                        Nd4j.randn(DataType.DOUBLE, 3, 3));
                DataSet batch = new DataSet(input, labels);
                net.setInput(0, input);
                net.setLabel(0, labels);
                net.computeGradientAndScore();
                var gradients = net.gradient().gradientForVariable();
                int checked = 0;
                double epsilon = 1e-6;
                for (var entry : net.paramTable().entrySet()) {
                    String name = entry.getKey();
                    if (name.endsWith("_mean") || name.endsWith("_var") || name.endsWith("_log10stdev")) {
                        continue;
                    }
                    INDArray values = entry.getValue();
                    INDArray backprop = gradients.get(name);
                    long step = Math.max(1, values.length() / 4);
                    for (long i = 0; i < values.length(); i += step) {
                        // by logical position: param and gradient views need not share an element order
                        long[] at = org.nd4j.linalg.api.shape.Shape.ind2subC(values, i);
                        double original = values.getDouble(at);
                        values.putScalar(at, original + epsilon);
                        double plus = net.score(batch, true);
                        values.putScalar(at, original - epsilon);
                        double minus = net.score(batch, true);
                        values.putScalar(at, original);
                        double numerical = (plus - minus) / (2 * epsilon);
                        // DL4J's gradients are sums over the batch (the updater divides by its size); the score a mean
                        double analytic = backprop.getDouble(at) / input.size(0);
                        double error = Math.abs(numerical - analytic);
                        assertTrue(error < 1e-8 || error / (Math.abs(numerical) + Math.abs(analytic)) < 1e-4,
                                architecture.describe() + " " + name + "[" + i + "]: backprop " + analytic
                                        + ", numerical " + numerical);
                        checked++;
                    }
                }
                assertTrue(checked > 60, checked + " entries checked");
                net.close();
            }
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @Test
    void modelFileRoundTripKeepsTheOutputs(@TempDir Path dir) {
        ComputationGraph net = ResNetFactory.build(spec(3, 4, 16, 16),
                ResNetArchitecture.of(ResNetDepth.RESNET10, 0.125, ResNetStem.IMAGENET));
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 3, 16, 16),
                Nd4j.createFromArray(new float[][]{{0}, {1}, {2}, {3}}));
        net.fit(batch); // moves the batch norms' running statistics off their initial values
        Path file = dir.resolve("resnet.zip");
        ModelFiles.save(net, file, null);
        ComputationGraph loaded = ModelFiles.load(file);
        assertEquals(net.getConfiguration().toJson(), loaded.getConfiguration().toJson());
        assertEquals(net.params(), loaded.params());
        INDArray probe = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        assertTrue(net.outputSingle(probe).equalsWithEps(loaded.outputSingle(probe), 1e-6));
        net.close();
        loaded.close();
    }

    @Test
    void badArchitecturesAreClearErrors() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> ResNetArchitecture.of(ResNetDepth.RESNET18, 0, ResNetStem.SMALL)).getMessage();
        assertTrue(message.contains("width = 0.0 is invalid"), message);
        message = assertThrows(IllegalArgumentException.class,
                () -> new ResNetArchitecture(null, null, null, null, List.of(2, 2), null)).getMessage();
        assertTrue(message.contains("needs depth (one of resnet10, resnet18"), message);
        message = assertThrows(IllegalArgumentException.class,
                () -> new ResNetArchitecture(null, null, null, null, List.of(2, 2), List.of(8))).getMessage();
        assertTrue(message.contains("one entry per stage"), message);
        message = assertThrows(IllegalArgumentException.class,
                () -> new ResNetArchitecture(ResNetDepth.RESNET18, null, null, null, List.of(2, 0, 2, 2), null))
                .getMessage();
        assertTrue(message.contains("blocks = [2, 0, 2, 2] is invalid"), message);
        message = assertThrows(IllegalArgumentException.class, () -> ResNetFactory.configuration(
                UNetSpec.of(List.of(4, 8), Task.SEGMENTATION, 3, 2, 16, 16), ResNetArchitecture.of(ResNetDepth.RESNET8)))
                .getMessage();
        assertTrue(message.contains("a ResNet classifies images; the data is segmentation"), message);
    }

    private static UNetSpec spec(int channels, int classes, int height, int width) {
        return UNetSpec.of(List.of(4, 8), Task.CLASSIFICATION, channels, classes, height, width);
    }
}
