package io.distill4j.search;

import io.distill4j.data.Task;
import io.distill4j.model.UNetArchitecture;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActionsTest {

    private static final UNetSpec TEACHER = UNetSpec.teacher(Task.SEGMENTATION, 3, 6, 32, 32);
    private static final UNetArchitecture ARCH = UNetArchitecture.of(TEACHER);
    private static final List<LayerDescriptor> LAYERS = LayerDescriptor.of(ARCH, 3);
    private static final List<Double> WIDTHS = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0);

    @Test
    void descriptorsListEveryConvolutionWithItsChannelsAndExactParameters() {
        assertEquals(18, LAYERS.size(), "5 encoder blocks and 4 decoder blocks of two convolutions");
        assertEquals(new LayerDescriptor(LayerDescriptor.Role.ENCODER_CONV1, 3, 1, 3, 16, 0, 9 * 3 * 16 + 16),
                LAYERS.get(0));
        LayerDescriptor deepestDecoder = LAYERS.get(10);
        assertEquals(LayerDescriptor.Role.DECODER_CONV1, deepestDecoder.role());
        assertEquals(3, deepestDecoder.level());
        assertEquals(256, deepestDecoder.inChannels(), "up-convolution 128 + skip 128");
        // descriptors + up-convolutions (2x2, in = the deeper output, out = the skip) + the 1x1 head = the graph
        long ups = 0;
        for (int i = 0; i < 4; i++) {
            int in = UNetSpec.TEACHER_FILTERS.get(i + 1);
            int out = UNetSpec.TEACHER_FILTERS.get(i);
            ups += 4L * in * out + out;
        }
        long total = LAYERS.stream().mapToLong(LayerDescriptor::parameters).sum() + ups + (16 * 6 + 6);
        assertEquals(1_941_190, total);
        assertEquals(LayerDescriptor.FEATURES, LAYERS.get(3).features().length);
    }

    @Test
    void descriptorsRoundTripToTheArchitecture() {
        assertEquals(ARCH.withoutDropout(), LayerDescriptor.toArchitecture(LAYERS));
        UNetArchitecture shrunk = Actions.shrink(ARCH, LAYERS, randomChoices(new Random(3)), WIDTHS);
        UNetArchitecture removed = Actions.remove(shrunk, LayerDescriptor.of(shrunk, 3), new int[]{
                0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}).orElseThrow();
        assertEquals(removed.withoutDropout(), LayerDescriptor.toArchitecture(LayerDescriptor.of(removed, 3)));
    }

    @Test
    void removalActionsDecodeAndEncodeBack() {
        Random random = new Random(42);
        int decoded = 0;
        for (int trial = 0; trial < 200; trial++) {
            int[] actions = new int[LAYERS.size()];
            for (int t = 0; t < actions.length; t++) {
                actions[t] = random.nextInt(4) == 0 ? Actions.REMOVE : Actions.KEEP;
            }
            Optional<UNetArchitecture> arch = Actions.remove(ARCH, LAYERS, actions);
            if (arch.isEmpty()) {
                continue;
            }
            decoded++;
            int[] canonical = Actions.removalOf(ARCH, LAYERS, arch.get());
            assertEquals(arch, Actions.remove(ARCH, LAYERS, canonical), "decode(encode(x)) = x");
            assertArrayEquals(canonical, Actions.removalOf(ARCH, LAYERS, Actions.remove(ARCH, LAYERS, canonical)
                    .orElseThrow()), "encode(decode(a)) = a for canonical actions");
        }
        assertTrue(decoded > 150);
    }

    @Test
    void removingALevelTakesItsDecoderAndSkipAndDecoderConv1IsNotRemovable() {
        int[] actions = new int[LAYERS.size()];
        actions[4] = Actions.REMOVE;   // enc3_conv1: level 3 (64) goes with dec3 and its skip
        actions[7] = Actions.REMOVE;   // enc4_conv2
        actions[10] = Actions.REMOVE;  // dec4_conv1: ignored
        UNetArchitecture a = Actions.remove(ARCH, LAYERS, actions).orElseThrow();
        assertEquals("16/16+16/16 32/32+32/32 128/-+128/128 256/256", a.describe());
        actions[8] = Actions.REMOVE;   // enc5_conv1: the bottleneck goes, level 4 becomes the deepest
        assertEquals("16/16+16/16 32/32+32/32 128/-", Actions.remove(ARCH, LAYERS, actions).orElseThrow().describe());
        int[] all = new int[LAYERS.size()];
        for (int t = 0; t < all.length; t++) {
            all[t] = LAYERS.get(t).role() == LayerDescriptor.Role.ENCODER_CONV1 ? Actions.REMOVE : Actions.KEEP;
        }
        assertTrue(Actions.remove(ARCH, LAYERS, all).isEmpty(), "no level left: no architecture");
        assertThrows(IllegalArgumentException.class, () -> Actions.remove(ARCH, LAYERS, new int[3]));
        assertThrows(IllegalArgumentException.class, () -> Actions.removalOf(ARCH, LAYERS,
                new UNetArchitecture(List.of(new UNetArchitecture.Level(new UNetArchitecture.Block(7, 7, 0), null)))));
    }

    @Test
    void shrinkageActionsDecodeAndEncodeBackAndKeepSkipsConsistent() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int[] choices = randomChoices(random);
            UNetArchitecture shrunk = Actions.shrink(ARCH, LAYERS, choices, WIDTHS);
            List<LayerDescriptor> after = LayerDescriptor.of(shrunk, 3);
            // teacher widths 16..256 scaled by 0.1..1.0 give distinct widths, so the choices come back exactly
            assertArrayEquals(choices, Actions.shrinkageOf(LAYERS, after, WIDTHS));
            assertEquals(shrunk, Actions.shrink(ARCH, LAYERS, Actions.shrinkageOf(LAYERS, after, WIDTHS), WIDTHS));
        }
        int[] tenth = new int[LAYERS.size()];
        UNetArchitecture smallest = Actions.shrink(ARCH, LAYERS, tenth, WIDTHS);
        assertEquals("2/2+2/2 3/3+3/3 6/6+6/6 13/13+13/13 26/26", smallest.describe());
        assertEquals(1, Actions.width(3, 0.1), "never below one channel");
    }

    @Test
    void everyArchitectureSampledFromRandomPoliciesBuildsRunsAndTrainsOneStep() {
        UNetSpec small = UNetSpec.of(List.of(4, 8, 16), Task.SEGMENTATION, 3, 6, 16, 16).withoutDropout();
        UNetArchitecture base = UNetArchitecture.of(small);
        List<LayerDescriptor> layers = LayerDescriptor.of(base, 3);
        Policy removal = Policy.removal(1, 4, new org.nd4j.linalg.learning.config.Adam(0.01),
                org.nd4j.linalg.api.buffer.DataType.FLOAT);
        Policy shrinkage = Policy.shrinkage(2, 4, WIDTHS.size(), new org.nd4j.linalg.learning.config.Adam(0.01),
                org.nd4j.linalg.api.buffer.DataType.FLOAT);
        Random random = new Random(5);
        int[][] removals = removal.sample(removal.input(layers), 4, random, false);
        org.nd4j.linalg.dataset.DataSet batch = new org.nd4j.linalg.dataset.DataSet(
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 16, 16),
                org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 16, 16));
        int built = 0;
        for (int[] r : removals) {
            Optional<UNetArchitecture> removed = Actions.remove(base, layers, r);
            if (removed.isEmpty()) {
                continue;
            }
            List<LayerDescriptor> left = LayerDescriptor.of(removed.get(), 3);
            int[] widths = shrinkage.sample(shrinkage.input(left), 1, random, false)[0];
            for (UNetArchitecture a : List.of(removed.get(), Actions.shrink(removed.get(), left, widths, WIDTHS))) {
                ComputationGraph net = UNetFactory.build(small, a);
                assertEquals(UNetArchitecture.of(net).describe(), a.describe());
                org.nd4j.linalg.api.ndarray.INDArray before = net.params().dup();
                net.fit(batch);
                assertTrue(Double.isFinite(net.score()), a.describe());
                assertTrue(!before.equals(net.params()), "one training step changed the weights of " + a.describe());
                built++;
            }
        }
        assertTrue(built >= 4, "sampled architectures built: " + built);
    }

    @Test
    void theClassificationVariantHasEncoderLayersOnly() {
        UNetSpec spec = UNetSpec.of(List.of(4, 8, 16), Task.CLASSIFICATION, 1, 10, 28, 28);
        UNetArchitecture base = UNetArchitecture.of(spec);
        List<LayerDescriptor> layers = LayerDescriptor.of(base, 1);
        assertEquals(6, layers.size());
        assertTrue(layers.stream().allMatch(l -> l.role() == LayerDescriptor.Role.ENCODER_CONV1
                || l.role() == LayerDescriptor.Role.ENCODER_CONV2));
        UNetArchitecture removed = Actions.remove(base, layers, new int[]{0, 1, 1, 0, 0, 0}).orElseThrow();
        assertEquals("4/- 16/16", removed.describe());
        List<LayerDescriptor> left = LayerDescriptor.of(removed, 1);
        UNetArchitecture shrunk = Actions.shrink(removed, left, new int[]{9, 4, 0}, WIDTHS);
        assertEquals("4/- 8/2", shrunk.describe());
        ComputationGraph net = UNetFactory.build(spec, shrunk);
        assertArrayEquals(new long[]{2, 10}, net.outputSingle(org.nd4j.linalg.factory.Nd4j.rand(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 28, 28)).shape());
        // conv 1->4, conv 4->8, conv 8->2, dense 2->10
        assertEquals((9 * 4 + 4) + (9 * 4 * 8 + 8) + (9 * 8 * 2 + 2) + (2 * 10 + 10), net.numParams());
    }

    private static int[] randomChoices(Random random) {
        int[] choices = new int[LAYERS.size()];
        for (int t = 0; t < choices.length; t++) {
            choices[t] = random.nextInt(WIDTHS.size());
        }
        return choices;
    }
}
