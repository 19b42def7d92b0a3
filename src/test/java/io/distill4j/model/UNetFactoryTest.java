package io.distill4j.model;

import io.distill4j.data.Task;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.dropout.Dropout;
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
        // Keras Dropout(0.1) is DL4J DropoutLayer with retain probability 0.9
        DropoutLayer drop = (DropoutLayer) net.getLayer("enc1_drop").conf().getLayer();
        assertEquals(0.9, ((Dropout) drop.getIDropout()).getP(), 1e-12);
        DropoutLayer deepest = (DropoutLayer) net.getLayer("enc5_drop").conf().getLayer();
        assertEquals(0.7, ((Dropout) deepest.getIDropout()).getP(), 1e-12);
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
}
