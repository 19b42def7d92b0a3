package io.distill4j.compress;

import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressTest {

    private static ComputationGraph net(List<Integer> filters, Task task, int size) {
        return UNetFactory.build(UNetSpec.of(filters, task, 3, 6, size, size));
    }

    private static DataSet batch(Task task, int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, size, size);
        INDArray y = task == Task.SEGMENTATION
                ? org.nd4j.linalg.ops.transforms.Transforms.floor(Nd4j.rand(DataType.FLOAT, 4, 1, size, size).muli(5.999))
                : org.nd4j.linalg.ops.transforms.Transforms.floor(Nd4j.rand(DataType.FLOAT, 4, 1).muli(5.999));
        return new DataSet(x, y);
    }

    @Test
    void levelPruningReachesTheSparsityAndFineTuningKeepsPrunedWeightsAtZero() {
        ComputationGraph graph = net(List.of(4, 8), Task.SEGMENTATION, 16);
        LevelPruner pruner = new LevelPruner(0.8, Map.of("deconv", 0.5));
        Map<String, INDArray> masks = pruner.prune(graph, 1.0);
        LevelPruner.Report report = LevelPruner.report(graph);
        for (LevelPruner.LayerSparsity l : report.layers()) {
            double target = l.type().equals("deconv") ? 0.5 : 0.8;
            assertEquals(target, l.sparsity(), 1.0 / l.weights() + 1e-9, l.toString());
        }
        INDArray before = graph.params().dup();
        graph.setListeners(new LevelPruner.MaskListener(masks));
        DataSet data = batch(Task.SEGMENTATION, 16, 1);
        for (int i = 0; i < 5; i++) {
            graph.fit(data);
        }
        assertNotEquals(before, graph.params(), "fine-tuning changed the surviving weights");
        masks.forEach((layer, mask) -> {
            INDArray w = Layers.weights(graph, layer);
            assertEquals(0.0, w.mul(mask.rsub(1)).norm1Number().doubleValue(), 0.0, layer + ": pruned weights moved");
        });
        assertTrue(LevelPruner.report(graph).global() >= report.global() - 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new LevelPruner(1.0, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new LevelPruner(-0.1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new LevelPruner(0.5, Map.of("conv", 1.5)));
    }

    @Test
    void globalScopeSharesOneThresholdSoSmallLayersKeepMore() {
        ComputationGraph graph = net(List.of(4, 8, 16), Task.SEGMENTATION, 16);
        // make the first convolution's weights large: one shared threshold must then spare it
        Layers.weights(graph, "enc1_conv1").muli(100);
        INDArray logitsBefore = Layers.weights(graph, UNetFactory.LOGITS).dup();
        new LevelPruner(0.8, Map.of(UNetFactory.LOGITS, 0.0), true).prune(graph, 1.0);
        LevelPruner.Report report = LevelPruner.report(graph);
        long weights = 0;
        long zeros = 0;
        for (LevelPruner.LayerSparsity l : report.layers()) {
            if (!l.layer().equals(UNetFactory.LOGITS)) {
                weights += l.weights();
                zeros += l.zeros();
            }
        }
        assertEquals(0.8, (double) zeros / weights, 1.0 / weights + 1e-9, "the shared layers together reach the target");
        double first = report.layers().stream().filter(l -> l.layer().equals("enc1_conv1")).findFirst().orElseThrow()
                .sparsity();
        assertTrue(first < 0.05, "the large-magnitude layer keeps nearly all its weights under one shared threshold: " + first);
        assertEquals(logitsBefore, Layers.weights(graph, UNetFactory.LOGITS), "an override of 0 prunes nothing");
        assertTrue(report.layers().stream().anyMatch(l -> l.sparsity() > 0.8), "so other layers give up more");
    }

    @Test
    void gradualScheduleEndsAtTheTarget() {
        assertEquals(1.0, LevelPruner.schedule(3, 3), 1e-12);
        assertTrue(LevelPruner.schedule(1, 3) < LevelPruner.schedule(2, 3));
    }

    @Test
    void filterPruningBuildsTheSmallerUNetWhichHasTheRightOutputShapeAndTrains() {
        for (Task task : Task.values()) {
            ComputationGraph source = net(List.of(4, 8), task, 16);
            INDArray sourceParams = source.params().dup();
            FilterPruner.Result r = new FilterPruner(0.5).prune(source);
            ComputationGraph small = r.graph();
            assertEquals(source.params(), sourceParams, "the source is not modified");
            assertEquals(net(List.of(2, 4), task, 16).numParams(), small.numParams(), task.toString());
            DataSet data = batch(task, 16, 2);
            INDArray out = small.outputSingle(data.getFeatures());
            assertArrayEquals(source.outputSingle(data.getFeatures()).shape(), out.shape());
            small.fit(data);
            assertTrue(Double.isFinite(small.score()));
            // ratio 0 keeps every filter: the same function
            ComputationGraph same = new FilterPruner(0.0).prune(source).graph();
            assertTrue(source.outputSingle(data.getFeatures()).equalsWithEps(same.outputSingle(data.getFeatures()), 1e-5));
        }
        // the kept filters are the ones with the largest L1 norms, their weights copied
        ComputationGraph source = net(List.of(4, 8), Task.SEGMENTATION, 16);
        FilterPruner.Result r = new FilterPruner(0.5).prune(source);
        int[] kept = r.kept().get("enc1_conv1");
        INDArray w = Layers.weights(source, "enc1_conv1");
        for (int i = 0; i < kept.length; i++) {
            assertEquals(w.slice(kept[i]), Layers.weights(r.graph(), "enc1_conv1").slice(i));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FilterPruner(0.9).prune(net(List.of(4, 8), Task.SEGMENTATION, 16)));
        assertTrue(e.getMessage().contains("every filter of layer enc1_conv1"), e.getMessage());
    }

    @Test
    void int8WeightsRoundTripWithinHalfAStepAndTheFileIsUnderAThirdOfFloat32(@TempDir Path dir) {
        ComputationGraph graph = net(List.of(32, 64), Task.SEGMENTATION, 32);
        for (String name : Layers.weighted(graph)) {
            INDArray w = Layers.weights(graph, name);
            int axis = Layers.outputAxis(Layers.layerConf(graph.getConfiguration(), name));
            Int8Tensor q = Int8Tensor.quantize(w, axis);
            INDArray error = Int8Tensor.fakeQuantize(w, axis).sub(w);
            for (int c = 0; c < q.scales().length; c++) {
                INDArray channel = axis == 0 ? error.slice(c) : error.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(c));
                assertTrue(channel.amaxNumber().doubleValue() <= q.scales()[c] / 2 * (1 + 1e-5), name + " channel " + c);
            }
        }
        Quantizer.Result q = Quantizer.quantize(graph, io.distill4j.config.QuantizeMode.DYNAMIC, null, 0);
        Path dense = dir.resolve("float32.zip");
        Path int8 = dir.resolve("int8.zip");
        CompactModelFile.saveDense(graph, dense, null, Map.of("model-info.json", "{}"));
        Map<String, String> encodings = CompactModelFile.save(q.graph(), int8, null, q.weights(), Map.of("model-info.json", "{}"));
        assertTrue(encodings.values().stream().filter(e -> e.contains("int8")).count() == q.weights().size());
        double ratio = (double) size(int8) / size(dense);
        assertTrue(ratio <= 0.3, "int8 file / float32 file = " + ratio);
        ComputationGraph loaded = CompactModelFile.load(int8);
        INDArray x = batch(Task.SEGMENTATION, 32, 3).getFeatures();
        assertTrue(q.graph().outputSingle(x).equalsWithEps(loaded.outputSingle(x), 1e-5), "the file holds the quantized model");
        assertEquals(q.graph().getConfiguration().toJson(), loaded.getConfiguration().toJson());
        // the quantized model stays close to the float one
        double diff = graph.outputSingle(x).sub(loaded.outputSingle(x)).amaxNumber().doubleValue();
        assertTrue(diff < 0.1, "max probability change " + diff);
    }

    @Test
    void staticQuantizationCalibratesEveryLayerButTheLogits() {
        ComputationGraph graph = net(List.of(4, 8), Task.SEGMENTATION, 16);
        var data = new org.deeplearning4j.datasets.iterator.IteratorDataSetIterator(
                List.of(batch(Task.SEGMENTATION, 16, 4), batch(Task.SEGMENTATION, 16, 5)).iterator(), 4);
        Quantizer.Result q = Quantizer.quantize(graph, io.distill4j.config.QuantizeMode.STATIC, data, 2);
        assertEquals(Layers.weighted(graph).size(), q.ranges().size());
        for (String name : Layers.weighted(graph)) {
            var activation = Layers.baseLayer(q.graph().getConfiguration(), name).getActivationFn();
            assertEquals(!Layers.isLogits(name), activation instanceof FakeQuantActivation, name);
        }
        INDArray x = batch(Task.SEGMENTATION, 16, 4).getFeatures();
        assertTrue(graph.outputSingle(x).sub(q.graph().outputSingle(x)).amaxNumber().doubleValue() < 0.1);
    }

    @Test
    void levelPrunedModelsAreStoredSparse(@TempDir Path dir) {
        ComputationGraph graph = net(List.of(16, 32), Task.SEGMENTATION, 16);
        Path dense = dir.resolve("dense.zip");
        CompactModelFile.saveDense(graph, dense, null, Map.of());
        new LevelPruner(0.8, Map.of()).prune(graph, 1.0);
        Path sparse = dir.resolve("sparse.zip");
        Map<String, String> enc = CompactModelFile.save(graph, sparse, null, Map.of(), Map.of());
        assertEquals("sparse-float32", enc.get("enc2_conv2/W"));
        assertTrue(size(sparse) < 0.35 * size(dense), size(sparse) + " vs " + size(dense));
        assertEquals(graph.params(), CompactModelFile.load(sparse).params());
    }

    @Test
    void fakeQuantActivationRoundsToTheGridAndPassesGradientsInsideTheRange() {
        INDArray a = Nd4j.createFromArray(-1f, 0f, 0.3f, 2f, 5f);
        INDArray q = FakeQuantActivation.fakeQuantize(a.dup(), -1, 4);
        double step = 5.0 / 255;
        for (int i = 0; i < 4; i++) {
            assertEquals(a.getDouble(i), q.getDouble(i), step / 2 + 1e-6);
        }
        assertEquals(0.0, q.getDouble(1), 0.0, "zero is exact");
        assertEquals(4.0, q.getDouble(4), step / 2 + 1e-6, "clipped");
        FakeQuantActivation f = FakeQuantActivation.fixed(new org.nd4j.linalg.activations.impl.ActivationIdentity(), -1, 4);
        INDArray grad = f.backprop(a.dup(), Nd4j.onesLike(a)).getFirst();
        assertEquals(Nd4j.createFromArray(1f, 1f, 1f, 1f, 0f), grad);
    }

    @Test
    void qatTrainsWithoutNaNAndItsForwardUsesQuantizedWeights(@TempDir Path dir) {
        ComputationGraph graph = QuantizationAwareTraining.prepare(net(List.of(4, 8), Task.SEGMENTATION, 16));
        QuantizationAwareTraining.WeightListener listener = new QuantizationAwareTraining.WeightListener(graph);
        graph.setListeners(listener);
        DataSet data = batch(Task.SEGMENTATION, 16, 6);
        for (int i = 0; i < 5; i++) {
            graph.fit(data);
            assertTrue(Double.isFinite(graph.score()), "score " + graph.score());
        }
        List<String> layers = Layers.weighted(graph);
        for (int i = 0; i < layers.size(); i++) {
            INDArray shadow = listener.shadows().get(i);
            int axis = Layers.outputAxis(Layers.layerConf(graph.getConfiguration(), layers.get(i)));
            assertEquals(Int8Tensor.fakeQuantize(shadow, axis), Layers.weights(graph, layers.get(i)), layers.get(i));
        }
        // the forward pass is the network with quantize -> dequantize weights
        ComputationGraph copy = graph.clone();
        for (int i = 0; i < layers.size(); i++) {
            int axis = Layers.outputAxis(Layers.layerConf(graph.getConfiguration(), layers.get(i)));
            Layers.weights(copy, layers.get(i)).assign(Int8Tensor.fakeQuantize(listener.shadows().get(i), axis));
        }
        assertEquals(copy.outputSingle(data.getFeatures()), graph.outputSingle(data.getFeatures()));
        // the fake-quant activations (with their learned ranges) survive a save and load
        FakeQuantActivation tracked = (FakeQuantActivation) Layers.baseLayer(graph.getConfiguration(), "enc1_conv1")
                .getActivationFn();
        assertTrue(tracked.getHi() > 0);
        Path file = dir.resolve("qat.zip");
        ModelFiles.save(graph, file, null);
        ComputationGraph loaded = ModelFiles.load(file);
        assertEquals(tracked, Layers.baseLayer(loaded.getConfiguration(), "enc1_conv1").getActivationFn());
        assertEquals(graph.outputSingle(data.getFeatures()), loaded.outputSingle(data.getFeatures()));
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
