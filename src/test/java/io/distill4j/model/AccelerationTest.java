package io.distill4j.model;

import io.distill4j.data.Task;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fast CPU path is on by default, really used, and computes what DL4J's built-in path computes. */
class AccelerationTest {

    @BeforeAll
    static void onTheCpuWithOneDnn() {
        Backends.assumeCpuWithOneDnn();
    }

    private static ComputationGraph build(UNetSpec spec, boolean helpers) {
        String before = System.getProperty(Acceleration.HELPERS_DISABLE_PROPERTY);
        System.setProperty(Acceleration.HELPERS_DISABLE_PROPERTY, String.valueOf(!helpers));
        try {
            return UNetFactory.build(spec);
        } finally {
            System.setProperty(Acceleration.HELPERS_DISABLE_PROPERTY, before == null ? "false" : before);
        }
    }

    @Test
    void oneDnnHelpersAreActiveByDefault() {
        Acceleration.ensureConfigured();
        assertTrue(Acceleration.helpersEnabled());
        assertTrue(Acceleration.oneDnnActive(), "DL4J's oneDNN check fails: is the Nd4jCpu bridge on the classpath?");
        assertTrue(Acceleration.convolutionHelperInUse());
        ComputationGraph net = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16));
        assertInstanceOf(MKLDNNConvHelper.class, net.getLayer("enc1_conv1").getHelper());
        assertInstanceOf(MKLDNNSubsamplingHelper.class, net.getLayer("enc1_pool").getHelper());
    }

    @Test
    void helperPathMatchesTheBuiltInPath() {
        UNetSpec spec = UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32).withoutDropout();
        ComputationGraph builtIn = build(spec, false);
        ComputationGraph oneDnn = build(spec, true);
        assertNull(builtIn.getLayer("enc1_conv1").getHelper());
        assertInstanceOf(MKLDNNConvHelper.class, oneDnn.getLayer("enc1_conv1").getHelper());
        assertEquals(builtIn.params(), oneDnn.params(), "same seed, same initial parameters");

        INDArray input = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 4, 1, 32, 32).muli(6).castTo(DataType.INT32).castTo(DataType.FLOAT);
        INDArray expected = builtIn.outputSingle(input);
        INDArray actual = oneDnn.outputSingle(input);
        double outputError = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(outputError < 1e-5, "max output difference " + outputError);

        Gradient g1 = gradient(builtIn, input, labels);
        Gradient g2 = gradient(oneDnn, input, labels);
        INDArray a = g1.gradient();
        INDArray b = g2.gradient();
        double relative = a.sub(b).norm2Number().doubleValue() / a.norm2Number().doubleValue();
        assertTrue(relative < 1e-4, "relative gradient difference " + relative);
    }

    private static Gradient gradient(ComputationGraph net, INDArray input, INDArray labels) {
        net.setInputs(input);
        net.setLabels(labels);
        net.computeGradientAndScore();
        return net.gradient();
    }

    @Test
    void backendIsTheCpu() {
        assertEquals("CPU", Acceleration.backend());
        assertTrue(new DataSet().isEmpty());
    }
}
