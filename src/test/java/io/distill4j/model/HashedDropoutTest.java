package io.distill4j.model;

import io.distill4j.data.Task;
import io.distill4j.util.NativeArrays;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashedDropoutTest {

    private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

    /** Keep indicators of a forward pass over ones: 1 kept, 0 dropped (a kept one reads 1/p). */
    private static double[] kept(INDArray out) {
        double[] values = out.castTo(DataType.DOUBLE).data().asDouble();
        double[] kept = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            kept[i] = values[i] != 0 ? 1 : 0;
        }
        return kept;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.9, 0.7, 0.5, 0.1})
    void keepsEachActivationWithProbabilityPAndScalesItByOneOverP(double p) {
        HashedDropout dropout = new HashedDropout(p);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 8, 64, 64).addi(0.5);
        INDArray out = dropout.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        long n = x.length();
        long keptCount = 0;
        float[] in = x.data().asFloat();
        float[] result = out.data().asFloat();
        for (int i = 0; i < n; i++) {
            if (result[i] != 0) {
                keptCount++;
                assertEquals(in[i] * (float) (1.0 / p), result[i], 0f, "element " + i);
            }
        }
        // within the binomial's central 1 - 1e-6
        BinomialDistribution binomial = new BinomialDistribution(null, (int) n, p);
        assertTrue(keptCount >= binomial.inverseCumulativeProbability(5e-7)
                && keptCount <= binomial.inverseCumulativeProbability(1 - 5e-7), keptCount + " of " + n + " kept");
    }

    @Test
    void neighboursAndSuccessivePassesAreIndependent() {
        HashedDropout dropout = new HashedDropout(0.5);
        INDArray ones = Nd4j.ones(DataType.FLOAT, 1 << 20);
        double[] first = kept(dropout.applyDropout(ones, ones.ulike(), 0, 0, NO_WORKSPACES));
        double[] second = kept(dropout.applyDropout(ones, ones.ulike(), 1, 0, NO_WORKSPACES));
        PearsonsCorrelation pearson = new PearsonsCorrelation();
        // 1/sqrt(2^20) ≈ 0.001 is one standard error
        assertEquals(0, pearson.correlation(first, second), 0.005);
        for (int lag : new int[]{1, 2, 64, 4096}) { // next element, next row of a 64-wide map, next chunk
            double[] a = java.util.Arrays.copyOfRange(first, 0, first.length - lag);
            double[] b = java.util.Arrays.copyOfRange(first, lag, first.length);
            assertEquals(0, pearson.correlation(a, b), 0.005, "lag " + lag);
        }
    }

    @Test
    void theBackwardPassAppliesTheForwardPassesMask() {
        HashedDropout dropout = new HashedDropout(0.8);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 17, 19).addi(0.1);
        INDArray out = dropout.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        INDArray mask = out.div(x);
        INDArray gradient = Nd4j.rand(DataType.FLOAT, 2, 3, 17, 19);
        INDArray expected = gradient.mul(mask);
        assertEquals(expected, dropout.backprop(gradient, gradient, 0, 0)); // in place, as DL4J's layers call it
        assertThrows(IllegalStateException.class, () -> dropout.backprop(gradient, gradient, 0, 0));
    }

    @Test
    void masksFollowTheLogicalIndexWhateverTheLayout() {
        HashedDropout dropout = new HashedDropout(0.6);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 5, 7, 3);
        Nd4j.getRandom().setSeed(9);
        INDArray dense = dropout.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        INDArray channelsLast = x.permute(0, 2, 3, 1).dup('c').permute(0, 3, 1, 2); // a strided view
        assertFalse(NativeArrays.isContiguous(channelsLast));
        Nd4j.getRandom().setSeed(9);
        INDArray fromView = dropout.applyDropout(channelsLast, Nd4j.create(DataType.FLOAT, new long[]{2, 5, 7, 3}, 'f'),
                0, 0, NO_WORKSPACES);
        assertEquals(dense, fromView);
        INDArray gradient = Nd4j.rand(DataType.FLOAT, 2, 5, 7, 3);
        INDArray fOrder = gradient.dup('f');
        assertEquals(dropout.backprop(gradient.dup(), gradient.dup(), 0, 0).dup(),
                repeatForward(dropout, 9).backprop(fOrder, fOrder, 0, 0));
    }

    private static HashedDropout repeatForward(HashedDropout dropout, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.ones(DataType.FLOAT, 2, 5, 7, 3);
        dropout.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        return dropout;
    }

    @Test
    void theSameSeedGivesTheSameMaskInEveryPrecision() {
        HashedDropout dropout = new HashedDropout(0.75);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4, 9, 9).addi(0.5);
        Nd4j.getRandom().setSeed(21);
        INDArray inFloat = dropout.applyDropout(x.castTo(DataType.FLOAT), x.castTo(DataType.FLOAT).ulike(), 0, 0,
                NO_WORKSPACES);
        Nd4j.getRandom().setSeed(21);
        INDArray inDouble = dropout.applyDropout(x, x.ulike(), 0, 0, NO_WORKSPACES);
        Nd4j.getRandom().setSeed(21);
        INDArray inHalf = dropout.applyDropout(x.castTo(DataType.HALF), x.castTo(DataType.HALF).ulike(), 0, 0,
                NO_WORKSPACES);
        assertEquals(x.div(0.75).mul(inDouble.neq(0).castTo(DataType.DOUBLE)), inDouble); // exactly x / p in double
        assertTrue(inFloat.castTo(DataType.DOUBLE).equalsWithEps(inDouble, 1e-6));
        assertTrue(inHalf.castTo(DataType.DOUBLE).equalsWithEps(inDouble, 1e-2));
        assertArrayEquals(kept(inDouble), kept(inHalf), 0.0);
    }

    @Test
    void rejectsAProbabilityOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new HashedDropout(0));
        assertThrows(IllegalArgumentException.class, () -> new HashedDropout(1.5));
        assertEquals(Nd4j.ones(DataType.FLOAT, 8),
                new HashedDropout(1.0).applyDropout(Nd4j.ones(DataType.FLOAT, 8), Nd4j.zeros(DataType.FLOAT, 8), 0, 0,
                        NO_WORKSPACES));
    }

    @Test
    void theStudentsDropoutSurvivesJsonAndTheModelFile(@TempDir Path dir) {
        ComputationGraph student = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16));
        ComputationGraphConfiguration read = ComputationGraphConfiguration.fromJson(
                student.getConfiguration().toJson());
        assertEquals(new HashedDropout(0.9), dropoutOf(read, "enc1_conv2"));
        Path file = dir.resolve("student.zip");
        ModelFiles.save(student, file, null);
        ComputationGraph loaded = ModelFiles.load(file);
        assertEquals(new HashedDropout(0.7), dropoutOf(loaded.getConfiguration(), "enc5_conv2"));
        assertEquals(student.getConfiguration(), loaded.getConfiguration());
        // and it trains: one fit step with dropout after loading
        loaded.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16),
                Nd4j.zeros(DataType.FLOAT, 2, 1, 16, 16)));
        assertTrue(Double.isFinite(loaded.score()));
    }

    private static Object dropoutOf(ComputationGraphConfiguration conf, String layer) {
        var vertex = (org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(layer);
        return ((BaseLayer) vertex.getLayerConf().getLayer()).getIDropout();
    }
}
