package io.distill4j.data;

import io.distill4j.loss.DistillationLabels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelledSubsetTest {

    private static DatasetSpec.LandCoverPatches patches(Integer labelled) {
        var spec = new DatasetSpec.LandCoverPatches();
        spec.height = 16;
        spec.width = 16;
        spec.samples = 60;
        spec.labelled = labelled;
        return spec;
    }

    @Test
    void onlyTheLabelledExamplesTrainAndTheRestAreMarkedUnlabelledForDistillation() {
        Dataset full = Datasets.open(patches(null));
        Dataset scarce = Datasets.open(patches(6));
        int train = full.size(Split.TRAIN);
        assertEquals(6, scarce.size(Split.TRAIN));
        assertEquals(train, scarce.distillationSize());
        assertEquals(full.size(Split.TEST), scarce.size(Split.TEST));
        int labelled = 0;
        int unlabelled = 0;
        DataSetIterator it = scarce.distillationIterator(7, true);
        while (it.hasNext()) {
            INDArray ids = it.next().getLabels();
            for (int i = 0; i < ids.size(0); i++) {
                if (ids.getDouble(i, 0) == DistillationLabels.UNLABELLED) {
                    unlabelled++;
                } else {
                    labelled++;
                }
            }
        }
        assertEquals(6, labelled);
        assertEquals(train - 6, unlabelled);
        DataSetIterator labelledOnly = scarce.iterator(Split.TRAIN, 4, true);
        int seen = 0;
        while (labelledOnly.hasNext()) {
            DataSet batch = labelledOnly.next();
            seen += batch.numExamples();
            assertTrue(batch.getLabels().minNumber().doubleValue() >= 0);
        }
        assertEquals(6, seen);
    }

    @Test
    void classificationLabelsAreStratified() {
        Dataset full = Datasets.open(patches(null));
        Map<Integer, Integer> available = new HashMap<>();
        DataSetIterator it = full.iterator(Split.TRAIN, 100, false);
        INDArray all = it.next().getLabels();
        for (int i = 0; i < all.size(0); i++) {
            available.merge((int) all.getDouble(i, 0), 1, Integer::sum);
        }
        int k = available.size() * 2;
        int[] chosen = LabelledSubset.choose(all, Task.CLASSIFICATION, k, 3);
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i : chosen) {
            counts.merge((int) all.getDouble(i, 0), 1, Integer::sum);
        }
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            assertEquals(Math.min(2, available.get(e.getKey())), e.getValue(), "class " + e.getKey());
        }
    }

    @Test
    void moreLabelledExamplesThanTheTrainingSplitIsAnErrorNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(patches(10_000)));
        assertTrue(e.getMessage().contains("data.labelled = 10000") && e.getMessage().contains("training split"),
                e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Datasets.open(patches(0))).getMessage()
                .contains("labelled"));
    }
}
