package io.distill4j.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in land cover: shapes, determinism, splits, augmentation, and that it is not solvable by colour alone. */
class SyntheticLandCoverTest {

    private static DatasetSpec.LandCover small(long seed) {
        var spec = new DatasetSpec.LandCover();
        spec.seed = seed;
        spec.samples = 60;
        spec.height = 32;
        spec.width = 32;
        return spec;
    }

    @Test
    void defaultSpecIsLandCoverWithTheAerialClasses() {
        var spec = new DatasetSpec.LandCover();
        assertEquals(DatasetType.LANDCOVER, spec.type());
        spec.samples = 20;
        Dataset dataset = Datasets.open(spec);
        assertEquals(Task.SEGMENTATION, dataset.task());
        assertEquals(List.of("Building", "Land", "Road", "Vegetation", "Water", "Unlabeled"), dataset.classNames());
        assertEquals(0x3C1098, dataset.classColors().get(0).getRGB() & 0xFFFFFF);
        assertEquals(0x9B9B9B, dataset.classColors().get(5).getRGB() & 0xFFFFFF);
        assertEquals(64, dataset.height());
        assertEquals(64, dataset.width());
        assertEquals(3, dataset.channels());
        assertTrue(dataset.ignoreIndex().isEmpty());
    }

    @Test
    void batchesHaveTheContractShapesAndRanges() {
        Dataset dataset = Datasets.open(small(1));
        assertEquals(60, dataset.size(Split.TRAIN) + dataset.size(Split.VALIDATION) + dataset.size(Split.TEST));
        assertEquals(6, dataset.size(Split.VALIDATION));
        assertEquals(6, dataset.size(Split.TEST));
        DataSetIterator iterator = dataset.iterator(Split.TRAIN, 16, true);
        DataSet batch = iterator.next();
        assertArrayEquals(new long[]{16, 3, 32, 32}, batch.getFeatures().shape());
        assertArrayEquals(new long[]{16, 1, 32, 32}, batch.getLabels().shape());
        assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, batch.getFeatures().dataType());
        assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, batch.getLabels().dataType());
        assertTrue(batch.getFeatures().minNumber().doubleValue() >= 0);
        assertTrue(batch.getFeatures().maxNumber().doubleValue() <= 1);
        assertTrue(batch.getFeatures().maxNumber().doubleValue() > 0.5, "scaled, not all dark");
        for (float id : batch.getLabels().data().asFloat()) {
            assertTrue(id >= 0 && id < 6 && id == Math.rint(id), "class id " + id);
        }
        int seen = 16;
        while (iterator.hasNext()) {
            seen += iterator.next().numExamples();
        }
        assertEquals(dataset.size(Split.TRAIN), seen);
    }

    @Test
    void sameSeedSameData_otherSeedOtherData() {
        Dataset a = Datasets.open(small(7));
        Dataset b = Datasets.open(small(7));
        Dataset c = Datasets.open(small(8));
        assertEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.fingerprint(), c.fingerprint());
        assertEquals(a.iterator(Split.TEST, 6, false).next().getFeatures(),
                b.iterator(Split.TEST, 6, false).next().getFeatures());
    }

    @Test
    void tilesDependOnlyOnSeedAndIndex() {
        SyntheticLandCover.Tile first = SyntheticLandCover.tile(3, 5, 32, 32, -1);
        SyntheticLandCover.Tile again = SyntheticLandCover.tile(3, 5, 32, 32, -1);
        assertArrayEquals(first.image(), again.image());
        assertArrayEquals(first.mask(), again.mask());
    }

    @Test
    void shuffleIsDeterministicAndChangesPerEpoch() {
        Dataset dataset = Datasets.open(small(2));
        DataSetIterator a = dataset.iterator(Split.TRAIN, 48, true);
        DataSetIterator b = dataset.iterator(Split.TRAIN, 48, true);
        DataSet a0 = a.next();
        assertEquals(a0.getFeatures(), b.next().getFeatures());
        a.reset();
        b.reset();
        DataSet a1 = a.next();
        assertNotEquals(a0.getLabels(), a1.getLabels(), "epoch 1 has another order");
        assertEquals(a1.getLabels(), b.next().getLabels(), "but the same in every run");
        DataSetIterator plain = dataset.iterator(Split.TRAIN, 48, false);
        DataSet p0 = plain.next();
        plain.reset();
        assertEquals(p0.getLabels(), plain.next().getLabels(), "no shuffle: the same order every epoch");
    }

    @Test
    void augmentationTransformsImageAndMaskIdentically_onTrainOnly() {
        var plainSpec = small(4);
        var augmentedSpec = small(4);
        augmentedSpec.augment = true;
        Dataset plain = Datasets.open(plainSpec);
        Dataset augmented = Datasets.open(augmentedSpec);
        DataSet original = plain.iterator(Split.TRAIN, 48, false).next();
        DataSet changed = augmented.iterator(Split.TRAIN, 48, false).next();
        assertEquals(original.getLabels().sumNumber().doubleValue(), changed.getLabels().sumNumber().doubleValue(),
                1e-3, "the same tiles, transformed");
        int transformed = 0;
        float[] f = original.getFeatures().data().asFloat();
        float[] l = original.getLabels().data().asFloat();
        float[] fa = changed.getFeatures().data().asFloat();
        float[] la = changed.getLabels().data().asFloat();
        int image = 3 * 32 * 32;
        int mask = 32 * 32;
        for (int i = 0; i < 48; i++) {
            int match = -1;
            for (int t = 0; t < 8 && match < 0; t++) {
                float[] fi = java.util.Arrays.copyOfRange(f, i * image, (i + 1) * image);
                float[] li = java.util.Arrays.copyOfRange(l, i * mask, (i + 1) * mask);
                Augmentation.apply(fi, 0, 3, 32, 32, t);
                Augmentation.apply(li, 0, 1, 32, 32, t);
                if (java.util.Arrays.equals(fi, java.util.Arrays.copyOfRange(fa, i * image, (i + 1) * image))
                        && java.util.Arrays.equals(li, java.util.Arrays.copyOfRange(la, i * mask, (i + 1) * mask))) {
                    match = t;
                }
            }
            assertTrue(match >= 0, "sample " + i + ": image and mask got one and the same transform");
            if (match != Augmentation.IDENTITY) {
                transformed++;
            }
        }
        assertTrue(transformed > 24, "most samples are transformed: " + transformed);
        assertEquals(plain.iterator(Split.VALIDATION, 8, false).next().getFeatures(),
                augmented.iterator(Split.VALIDATION, 8, false).next().getFeatures(), "no augmentation off TRAIN");
    }

    @Test
    void augmentationOfAKnownSampleIsAFlipOrRotation() {
        // 2x3 sample 0 1 2 / 3 4 5: mirrored left-right is 2 1 0 / 5 4 3, top-bottom 3 4 5 / 0 1 2.
        float[] sample = {0, 1, 2, 3, 4, 5};
        Augmentation.apply(sample, 0, 1, 2, 3, 1);
        assertArrayEquals(new float[]{2, 1, 0, 5, 4, 3}, sample);
        float[] flipped = {0, 1, 2, 3, 4, 5};
        Augmentation.apply(flipped, 0, 1, 2, 3, 2);
        assertArrayEquals(new float[]{3, 4, 5, 0, 1, 2}, flipped);
        // 2x2: 0 1 / 2 3 with transpose and left-right mirror is 1 3 / 0 2, a quarter turn counter-clockwise.
        float[] square = {0, 1, 2, 3};
        Augmentation.apply(square, 0, 1, 2, 2, 4 | 1);
        assertArrayEquals(new float[]{1, 3, 0, 2}, square);
    }

    @Test
    void everyClassOccursAndColourAloneDoesNotSolveIt() {
        var spec = new DatasetSpec.LandCover();
        spec.samples = 150;
        spec.validationFraction = 0.0;
        spec.testFraction = 0.3;
        Dataset dataset = Datasets.open(spec);
        int classes = dataset.numClasses();
        double[][] sums = new double[classes][3];
        long[] counts = new long[classes];
        DataSet train = dataset.iterator(Split.TRAIN, 1000, false).next();
        float[] f = train.getFeatures().data().asFloat();
        float[] l = train.getLabels().data().asFloat();
        int plane = 64 * 64;
        for (int i = 0; i < l.length; i++) {
            int sample = i / plane;
            int pixel = i % plane;
            int c = (int) l[i];
            counts[c]++;
            for (int ch = 0; ch < 3; ch++) {
                sums[c][ch] += f[(sample * 3 + ch) * plane + pixel];
            }
        }
        for (int c = 0; c < classes; c++) {
            assertTrue(counts[c] > 0, dataset.classNames().get(c) + " occurs");
            assertTrue(counts[c] < 0.7 * l.length, dataset.classNames().get(c) + " does not dominate");
        }
        // Roughly the best any per-pixel colour rule can do: the majority class of each colour bin (16 levels per
        // channel), fitted on train and scored on test by accuracy and mean IoU.
        int bins = 16;
        long[][] histogram = new long[bins * bins * bins][classes];
        for (int i = 0; i < l.length; i++) {
            histogram[bin(f, i, plane, bins)][(int) l[i]]++;
        }
        DataSet test = dataset.iterator(Split.TEST, 1000, false).next();
        float[] tf = test.getFeatures().data().asFloat();
        float[] tl = test.getLabels().data().asFloat();
        long correct = 0;
        long[] intersection = new long[classes];
        long[] union = new long[classes];
        for (int i = 0; i < tl.length; i++) {
            long[] votes = histogram[bin(tf, i, plane, bins)];
            int predicted = 1; // Land where the colour was never seen
            for (int c = 0; c < classes; c++) {
                if (votes[c] > votes[predicted]) {
                    predicted = c;
                }
            }
            int truth = (int) tl[i];
            if (predicted == truth) {
                correct++;
                intersection[truth]++;
                union[truth]++;
            } else {
                union[truth]++;
                union[predicted]++;
            }
        }
        double accuracy = (double) correct / tl.length;
        double meanIoU = 0;
        for (int c = 0; c < classes; c++) {
            meanIoU += union[c] == 0 ? 0 : (double) intersection[c] / union[c] / classes;
        }
        System.out.printf("landcover: colour-only pixel accuracy %.3f, mean IoU %.3f, class shares %s%n", accuracy,
                meanIoU, java.util.Arrays.toString(java.util.Arrays.stream(counts)
                        .mapToObj(n -> String.format("%.3f", (double) n / l.length)).toArray()));
        assertTrue(meanIoU < 0.5, "colour alone must not solve the task: mean IoU " + meanIoU);
    }

    private static int bin(float[] features, int pixelIndex, int plane, int bins) {
        int sample = pixelIndex / plane;
        int pixel = pixelIndex % plane;
        int index = 0;
        for (int ch = 0; ch < 3; ch++) {
            int level = Math.min(bins - 1, (int) (features[(sample * 3 + ch) * plane + pixel] * bins));
            index = index * bins + level;
        }
        return index;
    }

    @Test
    void patchesAreLabelledByTheirMajorityClassAndRoughlyBalanced() {
        var spec = new DatasetSpec.LandCoverPatches();
        spec.samples = 100;
        spec.height = 32;
        spec.width = 32;
        Dataset dataset = Datasets.open(spec);
        assertEquals(Task.CLASSIFICATION, dataset.task());
        assertEquals(List.of("Building", "Land", "Road", "Vegetation", "Water"), dataset.classNames());
        DataSet batch = dataset.iterator(Split.TRAIN, 100, false).next();
        assertArrayEquals(new long[]{batch.numExamples(), 1}, batch.getLabels().shape());
        int[] counts = new int[5];
        for (float id : batch.getLabels().data().asFloat()) {
            counts[(int) id]++;
        }
        for (int c = 0; c < 5; c++) {
            assertTrue(counts[c] >= batch.numExamples() / 10, "class " + c + " has " + counts[c] + " patches: "
                    + java.util.Arrays.toString(counts));
        }
        for (int i = 0; i < 20; i++) {
            SyntheticLandCover.Tile tile = SyntheticLandCover.tile(42, i, 32, 32, i % 5);
            assertTrue(SyntheticLandCover.majorityClass(tile.mask()) < 5);
        }
    }
}
