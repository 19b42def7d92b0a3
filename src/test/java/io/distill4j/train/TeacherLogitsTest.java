package io.distill4j.train;

import io.distill4j.data.Dataset;
import io.distill4j.data.DatasetSpec;
import io.distill4j.data.Datasets;
import io.distill4j.data.Split;
import io.distill4j.model.Logits;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TeacherLogitsTest {

    private static Dataset tinyData() {
        var spec = new DatasetSpec.LandCover();
        spec.height = 16;
        spec.width = 16;
        spec.samples = 30;
        return Datasets.open(spec);
    }

    /** Every cached example keeps its own class ids and its own teacher logits, in every shuffled epoch. */
    @Test
    void cachedEpochsKeepFeaturesLabelsAndLogitsTogether() {
        Dataset data = tinyData();
        ComputationGraph teacher = UNetFactory.build(UNetSpec.of(List.of(4, 8), data.task(), data.channels(),
                data.numClasses(), 16, 16));
        java.util.concurrent.atomic.LongAdder passes = new java.util.concurrent.atomic.LongAdder();
        TeacherLogits cache = TeacherLogits.cache(teacher, data.iterator(Split.TRAIN, 4, false), passes);
        assertEquals((data.size(Split.TRAIN) + 3) / 4, passes.sum(), "one pass per batch, counted by the caller's counter");
        assertEquals(data.size(Split.TRAIN), cache.size());

        // reference: each training example's class ids, keyed by its features
        java.util.Map<String, INDArray> idsByImage = new java.util.HashMap<>();
        DataSetIterator plain = data.iterator(Split.TRAIN, 4, false);
        while (plain.hasNext()) {
            DataSet b = plain.next();
            for (int i = 0; i < b.numExamples(); i++) {
                idsByImage.put(key(b.getFeatures(), i), b.getLabels().get(NDArrayIndex.point(i)).dup());
            }
        }
        String firstOrder = null;
        for (long epoch = 0; epoch < 2; epoch++) {
            DataSetIterator it = cache.epoch(4, epoch);
            StringBuilder order = new StringBuilder();
            int seen = 0;
            int batches = 0;
            while (it.hasNext()) {
                DataSet b = it.next();
                batches++;
                assertTrue(b.numExamples() <= 4, "batch of " + b.numExamples() + " examples, asked for 4");
                INDArray expectedLogits = Logits.of(teacher, b.getFeatures());
                INDArray logits = b.getLabels().get(NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + data.numClasses()));
                assertTrue(expectedLogits.equalsWithEps(logits, 1e-5), "teacher logits belong to their image");
                for (int i = 0; i < b.numExamples(); i++) {
                    String k = key(b.getFeatures(), i);
                    INDArray ids = b.getLabels().get(NDArrayIndex.point(i), NDArrayIndex.interval(0, 1)).dup();
                    assertEquals(idsByImage.get(k), ids, "class ids belong to their image");
                    order.append(k.hashCode()).append(',');
                    seen++;
                }
            }
            assertEquals(cache.size(), seen);
            assertEquals((cache.size() + 3) / 4, batches);
            if (firstOrder == null) {
                firstOrder = order.toString();
            } else {
                assertNotEquals(firstOrder, order.toString(), "each epoch has its own order");
            }
        }
    }

    private static String key(INDArray features, int i) {
        return java.util.Arrays.toString(features.get(NDArrayIndex.point(i)).dup().data().asFloat());
    }

    /** Function matching: with augmentation the teacher labels exactly the augmented view the student trains on. */
    @Test
    void onTheFlyTeacherTensorsBelongToTheAugmentedBatch() {
        var spec = new DatasetSpec.LandCover();
        spec.height = 16;
        spec.width = 16;
        spec.samples = 30;
        spec.augment = true;
        Dataset data = Datasets.open(spec);
        ComputationGraph teacher = UNetFactory.build(UNetSpec.of(List.of(4, 8), data.task(), data.channels(),
                data.numClasses(), 16, 16));
        List<DistillationGraphs.FeatureTap> taps = List.of(new DistillationGraphs.FeatureTap("fd_at_enc1", "enc1_conv2", 2));
        org.nd4j.linalg.dataset.api.MultiDataSet batch = TeacherLogits.onTheFly(teacher, taps,
                data.iterator(Split.TRAIN, 4, true), new java.util.concurrent.atomic.LongAdder()).next();
        org.nd4j.linalg.api.ndarray.INDArray x = batch.getFeatures(0);
        assertEquals(io.distill4j.model.Logits.of(teacher, x), batch.getLabels(0).get(
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 7),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all()));
        assertEquals(io.distill4j.loss.AttentionMaps.of(teacher.output(List.of("enc1_conv2"), false,
                new org.nd4j.linalg.api.ndarray.INDArray[]{x}, null)[0], 2), batch.getLabels(1));
    }

    /**
     * The teacher's outputs that no label holds are freed as soon as a batch is labelled; an attention map and a hint
     * on the same level may share one output, which stays: every label is open and equal to the teacher's tensors.
     */
    @Test
    void outputsAreFreedOnlyWhenNoLabelHoldsThem() {
        Dataset data = tinyData();
        ComputationGraph teacher = UNetFactory.build(UNetSpec.of(List.of(4, 8), data.task(), data.channels(),
                data.numClasses(), 16, 16));
        List<DistillationGraphs.FeatureTap> taps = List.of(
                new DistillationGraphs.FeatureTap("fd_at_enc1", "enc1_conv2", 2),
                new DistillationGraphs.FeatureTap("fd_hint_enc1", "enc1_conv2", 0));
        org.nd4j.linalg.dataset.api.MultiDataSet batch = TeacherLogits.onTheFly(teacher, taps,
                data.iterator(Split.TRAIN, 4, false), new java.util.concurrent.atomic.LongAdder()).next();
        for (INDArray label : batch.getLabels()) {
            assertFalse(label.wasClosed());
        }
        INDArray x = batch.getFeatures(0);
        INDArray activation = teacher.output(List.of("enc1_conv2"), false, new INDArray[]{x}, null)[0];
        assertEquals(activation, batch.getLabels(2));
        assertEquals(io.distill4j.loss.AttentionMaps.of(activation, 2), batch.getLabels(1));
        assertEquals(Logits.of(teacher, x), batch.getLabels(0).get(NDArrayIndex.all(), NDArrayIndex.interval(1, 7),
                NDArrayIndex.all(), NDArrayIndex.all()));
        DataSet plain = TeacherLogits.onTheFly(teacher, data.iterator(Split.TRAIN, 4, false),
                new java.util.concurrent.atomic.LongAdder()).next();
        assertFalse(plain.getLabels().wasClosed());
        assertEquals(Logits.of(teacher, plain.getFeatures()), plain.getLabels().get(NDArrayIndex.all(),
                NDArrayIndex.interval(1, 7), NDArrayIndex.all(), NDArrayIndex.all()));
    }

    @Test
    void aCacheThatWouldNotFitIsRefusedWithAWayOut() {
        Dataset data = tinyData();
        ComputationGraph teacher = UNetFactory.build(UNetSpec.of(List.of(4, 8), data.task(), data.channels(),
                data.numClasses(), 16, 16));
        List<DistillationGraphs.FeatureTap> taps = List.of(new DistillationGraphs.FeatureTap("fd_hint_enc1", "enc1_conv2", 0));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TeacherLogits.cache(teacher, taps, data.iterator(Split.TRAIN, 4, false), data.size(Split.TRAIN), 1000,
                        new java.util.concurrent.atomic.LongAdder()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("cacheTeacherLogits=false"), e.getMessage());
    }
}
