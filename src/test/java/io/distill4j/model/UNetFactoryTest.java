package io.distill4j.model;

import io.distill4j.data.Task;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNetFactoryTest {

    @Test
    void parameterCountsEqualTheKerasModel() {
        // Keras multi_unet_model(n_classes=6, IMG_CHANNELS=3) with filters 16..256 and 4..64
        assertEquals(1_941_190, UNetFactory.build(UNetSpec.teacher(Task.SEGMENTATION, 3, 6, 32, 32)).numParams());
        assertEquals(121_750, UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32)).numParams());
    }

    @Test
    void studentIsAboutSixteenTimesSmaller() {
        long teacher = UNetFactory.build(UNetSpec.teacher(Task.CLASSIFICATION, 3, 10, 32, 32)).numParams();
        long student = UNetFactory.build(UNetSpec.student(Task.CLASSIFICATION, 3, 10, 32, 32)).numParams();
        double ratio = (double) teacher / student;
        assertTrue(ratio > 14 && ratio < 18, "teacher/student parameter ratio " + ratio);
    }

    @Test
    void segmentationOutputIsPerPixelProbabilities() {
        ComputationGraph net = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 48));
        INDArray out = net.outputSingle(Nd4j.rand(DataType.FLOAT, 2, 3, 32, 48));
        assertArrayEquals(new long[]{2, 6, 32, 48}, out.shape());
        assertTrue(out.sum(1).equalsWithEps(Nd4j.ones(DataType.FLOAT, 2, 32, 48), 1e-5));
        assertArrayEquals(new long[]{2, 6, 32, 48}, Logits.of(net, Nd4j.rand(DataType.FLOAT, 2, 3, 32, 48)).shape());
    }

    @Test
    void classificationVariantHasAPooledDenseHead() {
        ComputationGraph net = UNetFactory.build(UNetSpec.teacher(Task.CLASSIFICATION, 1, 10, 28, 28));
        INDArray out = net.outputSingle(Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28));
        assertArrayEquals(new long[]{3, 10}, out.shape());
        assertTrue(out.sum(1).equalsWithEps(Nd4j.ones(DataType.FLOAT, 3), 1e-5));
        assertEquals(null, net.getVertex("dec1_up"), "classification has no decoder");
    }

    @Test
    void anyFilterListChannelsClassesAndSizeWork() {
        UNetSpec spec = UNetSpec.of(List.of(3, 5, 7), Task.SEGMENTATION, 1, 2, 8, 12);
        ComputationGraph net = UNetFactory.build(spec);
        assertArrayEquals(new long[]{1, 2, 8, 12}, net.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 1, 8, 12)).shape());
        assertEquals(3, spec.encoderDropout().size());
        assertEquals(2, spec.decoderDropout().size());
    }

    @Test
    void layersFollowTheSeedModel() {
        ComputationGraph net = UNetFactory.build(UNetSpec.teacher(Task.SEGMENTATION, 3, 6, 32, 32));
        // Keras Dropout(0.1) between the convolutions is DL4J dropout on conv2's input with retain probability 0.9
        BaseLayer drop = (BaseLayer) net.getLayer("enc1_conv2").conf().getLayer();
        assertEquals(0.9, ((HashedDropout) drop.getIDropout()).getP(), 1e-12);
        BaseLayer deepest = (BaseLayer) net.getLayer("enc5_conv2").conf().getLayer();
        assertEquals(0.7, ((HashedDropout) deepest.getIDropout()).getP(), 1e-12);
        assertEquals(0.9, ((HashedDropout) ((BaseLayer) net.getLayer("dec1_conv2").conf().getLayer()).getIDropout()).getP(), 1e-12);
        assertEquals(null, ((BaseLayer) net.getLayer("enc1_conv1").conf().getLayer()).getIDropout());
        assertInstanceOf(ActivationReLU.class, ((BaseLayer) net.getLayer("enc1_conv1").conf().getLayer()).getActivationFn());
        assertInstanceOf(ActivationIdentity.class, ((BaseLayer) net.getLayer("dec4_up").conf().getLayer()).getActivationFn());
        assertInstanceOf(ActivationIdentity.class,
                ((BaseLayer) net.getLayer(UNetFactory.LOGITS).conf().getLayer()).getActivationFn());
        assertEquals(List.of("dec4_up", "enc4_conv2"), List.of(net.getConfiguration().getVertexInputs().get("dec4_merge")
                .toArray(new String[0])));
    }

    @Test
    void invalidSpecsAreClearErrors() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> UNetSpec.teacher(Task.SEGMENTATION, 3, 6, 30, 32)).getMessage();
        assertTrue(message.contains("30x32") && message.contains("16"), message);
        assertThrows(IllegalArgumentException.class, () -> UNetSpec.of(List.of(), Task.SEGMENTATION, 3, 6, 32, 32));
        assertThrows(IllegalArgumentException.class, () -> UNetSpec.student(Task.SEGMENTATION, 3, 1, 32, 32));
        assertThrows(IllegalArgumentException.class,
                () -> UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32).withDropout(List.of(0.1), List.of()));
    }

    /**
     * The decoder's 2×2 stride-2 transposed convolutions are built with Truncate (VALID) so they reach libnd4j's
     * oneDNN deconv2d; they must compute exactly what the Same-mode layer (the Keras model's "same") computes.
     */
    @Test
    void upsamplingInTruncateModeEqualsSameMode() {
        UNetSpec spec = UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32).withoutDropout();
        ComputationGraph fast = UNetFactory.build(spec);
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = UNetFactory.configuration(spec);
        int changed = 0;
        for (var vertex : conf.getVertices().values()) {
            if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.Deconvolution2D up) {
                assertEquals(org.deeplearning4j.nn.conf.ConvolutionMode.Truncate, up.getConvolutionMode());
                up.setConvolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same);
                changed++;
            }
        }
        assertEquals(4, changed);
        ComputationGraph same = new ComputationGraph(conf);
        same.init(fast.params().dup(), true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray ids = org.nd4j.linalg.ops.transforms.Transforms.floor(Nd4j.rand(DataType.FLOAT, 2, 1, 32, 32).muli(6), false);
        INDArray a = fast.outputSingle(x);
        INDArray b = same.outputSingle(x);
        assertEquals(0, a.distance1(b) / a.length(), 1e-6);
        fast.setInputs(x);
        fast.setLabels(ids);
        fast.computeGradientAndScore();
        same.setInputs(x);
        same.setLabels(ids);
        same.computeGradientAndScore();
        INDArray ga = fast.gradient().gradient();
        INDArray gb = same.gradient().gradient();
        assertTrue(ga.distance2(gb) <= 1e-4 * gb.norm2Number().doubleValue(),
                "relative gradient difference " + ga.distance2(gb) / gb.norm2Number().doubleValue());
    }

    /**
     * Dropout is the second convolution's own (no DropoutLayer, so no copy at inference). With the oneDNN helper
     * doing that convolution, training must see exactly what a DropoutLayer in between gives: same masks from the
     * same random stream, same gradients.
     */
    @Test
    void dropoutOnTheConvolutionEqualsADropoutLayerInBetween() {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder layer = tiny(true);
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder own = tiny(false);
        ComputationGraph withLayer = new ComputationGraph(layer.build());
        withLayer.init();
        ComputationGraph withOwn = new ComputationGraph(own.build());
        withOwn.init(withLayer.params().dup(), true);
        assertInstanceOf(org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper.class, withOwn.getLayer("conv2").getHelper());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 8, 8);
        INDArray ids = org.nd4j.linalg.ops.transforms.Transforms.floor(Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8).muli(3), false);
        INDArray[] gradients = new INDArray[2];
        double[] scores = new double[2];
        ComputationGraph[] nets = {withLayer, withOwn};
        for (int i = 0; i < 2; i++) {
            Nd4j.getRandom().setSeed(77);
            nets[i].setInputs(x);
            nets[i].setLabels(ids);
            nets[i].computeGradientAndScore();
            gradients[i] = nets[i].gradient().gradient().dup();
            scores[i] = nets[i].score();
        }
        assertEquals(scores[0], scores[1], 1e-6);
        assertTrue(gradients[0].distance2(gradients[1]) <= 1e-5 * gradients[0].norm2Number().doubleValue());
        // and dropout really acted: without it the score differs
        Nd4j.getRandom().setSeed(77);
        assertTrue(Math.abs(withOwn.score(new org.nd4j.linalg.dataset.DataSet(x, ids), false) - scores[1]) > 1e-4);
    }

    private static org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder tiny(boolean dropoutLayer) {
        var g = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(5)
                .weightInit(org.deeplearning4j.nn.weights.WeightInit.RELU)
                .activation(org.nd4j.linalg.activations.Activation.RELU)
                .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same)
                .graphBuilder().addInputs("in")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(8, 8, 2))
                .addLayer("conv1", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in");
        var conv2 = new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4);
        if (dropoutLayer) {
            g.addLayer("drop", new org.deeplearning4j.nn.conf.layers.DropoutLayer.Builder(0.5).build(), "conv1");
            g.addLayer("conv2", conv2.build(), "drop");
        } else {
            g.addLayer("conv2", conv2.dropOut(new org.deeplearning4j.nn.conf.dropout.Dropout(0.5)).build(), "conv1");
        }
        return g.addLayer(UNetFactory.LOGITS, new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(1, 1).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "conv2")
                .addLayer(UNetFactory.OUTPUT, new io.distill4j.loss.DistillationOutputLayer.Builder().build(), UNetFactory.LOGITS)
                .setOutputs(UNetFactory.OUTPUT);
    }
}
