package io.distill4j.model;

import io.distill4j.data.Task;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNetArchitectureTest {

    private static final UNetSpec TEACHER = UNetSpec.teacher(Task.SEGMENTATION, 3, 6, 32, 32);

    @Test
    void theSpecsArchitectureBuildsTheSameNetworkWithTheKerasParameterCounts() {
        UNetArchitecture teacher = UNetArchitecture.of(TEACHER);
        assertEquals(5, teacher.depth());
        assertEquals(1_941_190, UNetFactory.build(TEACHER, teacher).numParams());
        UNetSpec student = UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32);
        assertEquals(121_750, UNetFactory.build(student, UNetArchitecture.of(student)).numParams());
        assertEquals(UNetFactory.configuration(TEACHER).toJson(),
                UNetFactory.configuration(TEACHER, teacher).toJson(), "build(spec) is the architecture's special case");
    }

    @Test
    void architectureIsReadBackFromABuiltGraph() {
        UNetArchitecture odd = new UNetArchitecture(List.of(
                new UNetArchitecture.Level(new UNetArchitecture.Block(5, null, 0.1), new UNetArchitecture.Block(3, 7, 0.2)),
                new UNetArchitecture.Level(new UNetArchitecture.Block(6, 9, 0.3), null)));
        ComputationGraph graph = UNetFactory.build(UNetSpec.of(List.of(4, 8), Task.SEGMENTATION, 3, 6, 16, 16), odd);
        UNetArchitecture read = UNetArchitecture.of(graph);
        assertEquals(odd.withoutDropout().describe(), read.describe());
        assertEquals(0.2, read.levels().get(0).decoder().dropout(), 1e-9);
        assertEquals(0.3, read.levels().get(1).encoder().dropout(), 1e-9);
        assertEquals(null, read.levels().get(0).encoder().conv2());
        assertEquals(0.0, read.levels().get(0).encoder().dropout(), "no conv2, no dropout to read");
        assertEquals(UNetArchitecture.of(UNetFactory.build(TEACHER)), UNetArchitecture.of(TEACHER));
    }

    @Test
    void removedConvolutionsAndLevelsGiveSmallerNetworksThatRunForward() {
        UNetArchitecture teacher = UNetArchitecture.of(TEACHER);
        UNetArchitecture threeLevels = teacher.withoutLevel(4).withoutLevel(1);
        assertEquals(List.of(16, 64, 128), threeLevels.encoderWidths());
        assertNull(threeLevels.levels().get(2).decoder(), "the new deepest level has no decoder block");
        ComputationGraph net = UNetFactory.build(TEACHER, threeLevels);
        assertArrayEquals(new long[]{2, 6, 32, 32}, net.outputSingle(Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32)).shape());
        // the up-convolution takes the width of the skip it is concatenated with
        assertEquals(List.of("dec2_up", "enc2_conv2"), net.getConfiguration().getVertexInputs().get("dec2_merge"));
        long full = net.numParams();
        UNetArchitecture.Level first = threeLevels.levels().get(0);
        UNetArchitecture lighter = new UNetArchitecture(List.of(new UNetArchitecture.Level(first.encoder().withoutConv2(),
                first.decoder()), threeLevels.levels().get(1), threeLevels.levels().get(2)));
        ComputationGraph smaller = UNetFactory.build(TEACHER, lighter);
        // enc1_conv2 (3*3*16*16 + 16) is gone; the skip stays 16 wide, so nothing else changes
        assertEquals(full - (9 * 16 * 16 + 16), smaller.numParams());
        assertNull(smaller.getVertex("enc1_conv2"));
        assertEquals(List.of("dec1_up", "enc1_conv1"), smaller.getConfiguration().getVertexInputs().get("dec1_merge"));
        UNetArchitecture single = teacher.withoutLevel(4).withoutLevel(3).withoutLevel(2).withoutLevel(1);
        assertEquals(1, single.depth());
        assertArrayEquals(new long[]{1, 6, 32, 32},
                UNetFactory.build(TEACHER, single).outputSingle(Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32)).shape());
    }

    @Test
    void classificationArchitecturesHaveNoDecoder() {
        UNetSpec spec = UNetSpec.teacher(Task.CLASSIFICATION, 1, 10, 28, 28);
        UNetArchitecture arch = UNetArchitecture.of(spec);
        assertTrue(arch.levels().stream().allMatch(l -> l.decoder() == null));
        assertEquals(UNetFactory.build(spec).numParams(), UNetFactory.build(spec, arch).numParams());
        assertThrows(IllegalArgumentException.class, () -> UNetFactory.build(spec, UNetArchitecture.of(TEACHER)));
    }

    @Test
    void invalidArchitecturesAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> new UNetArchitecture(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new UNetArchitecture.Block(0, 4, 0));
        UNetArchitecture one = new UNetArchitecture(List.of(new UNetArchitecture.Level(
                new UNetArchitecture.Block(4, 4, 0), null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> one.withoutLevel(0));
        assertTrue(e.getMessage().contains("only level"), e.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> UNetFactory.build(
                UNetSpec.of(List.of(4), Task.SEGMENTATION, 3, 6, 12, 12), UNetArchitecture.of(TEACHER)));
        assertTrue(size.getMessage().contains("multiple of 16"), size.getMessage());
        IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class, () -> UNetArchitecture.of(
                new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().graphBuilder()
                        .addInputs("in").addLayer("d", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder()
                                .nIn(2).nOut(2).build(), "in").setOutputs("d").build())));
        assertTrue(notOurs.getMessage().contains("not a distill4j U-Net"), notOurs.getMessage());
    }
}
