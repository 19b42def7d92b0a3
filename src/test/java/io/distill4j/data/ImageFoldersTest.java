package io.distill4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image-folder classification reader on miniature Intel-layout and bare class-folder trees. */
class ImageFoldersTest {

    private static final int RED = 0xE01010;
    private static final int GREEN = 0x10E010;

    /** Two classes told apart by colour, so every label can be checked against its image. */
    private static void classFolder(Path folder, int colour, int count) {
        for (int i = 0; i < count; i++) {
            int shade = i * 3;
            TestImages.jpg(folder.resolve("img" + i + ".jpg"), TestImages.rgb(20 + i, 12, (x, y) -> colour + shade));
        }
    }

    private static Path intelLayout(Path root) {
        classFolder(root.resolve("seg_train/seg_train/buildings"), RED, 6);
        classFolder(root.resolve("seg_train/seg_train/forest"), GREEN, 4);
        classFolder(root.resolve("seg_test/seg_test/buildings"), RED, 2);
        classFolder(root.resolve("seg_test/seg_test/forest"), GREEN, 3);
        return root;
    }

    private static DatasetSpec.ImageFolders spec(Path root) {
        var spec = new DatasetSpec.ImageFolders();
        spec.path = root.toString();
        spec.height = 16;
        spec.width = 16;
        spec.validationFraction = 0.2;
        return spec;
    }

    /** Every sample's label must be the class of its colour: red is class 0 (buildings), green class 1. */
    private static int checkBatches(DataSetIterator iterator) {
        int seen = 0;
        while (iterator.hasNext()) {
            DataSet batch = iterator.next();
            long n = batch.numExamples();
            assertArrayEquals(new long[]{n, 3, 16, 16}, batch.getFeatures().shape());
            assertArrayEquals(new long[]{n, 1}, batch.getLabels().shape());
            for (int i = 0; i < n; i++) {
                double red = batch.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0)).meanNumber().doubleValue();
                double green = batch.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(1)).meanNumber().doubleValue();
                assertTrue(red <= 1 && green <= 1, "features are scaled to [0, 1]");
                int expected = red > green ? 0 : 1;
                assertEquals(expected, batch.getLabels().getInt(i, 0), "label of sample " + i);
            }
            seen += (int) n;
        }
        return seen;
    }

    @Test
    void intelLayoutGivesRgbImagesAndSparseLabels(@TempDir Path dir) {
        Dataset dataset = Datasets.open(spec(intelLayout(dir)));
        assertEquals(Task.CLASSIFICATION, dataset.task());
        assertEquals(List.of("buildings", "forest"), dataset.classNames());
        assertEquals(2, dataset.classColors().size());
        assertEquals(3, dataset.channels());
        assertEquals(8, dataset.size(Split.TRAIN));
        assertEquals(2, dataset.size(Split.VALIDATION));
        assertEquals(5, dataset.size(Split.TEST));
        for (Split split : Split.values()) {
            assertEquals(dataset.size(split), checkBatches(dataset.iterator(split, 3, true)), split.name());
        }
    }

    @Test
    void shuffleIsDeterministicPerEpochAndAugmentationKeepsLabels(@TempDir Path dir) {
        var spec = spec(intelLayout(dir));
        spec.augment = true;
        Dataset dataset = Datasets.open(spec);
        DataSetIterator a = dataset.iterator(Split.TRAIN, 8, true);
        DataSetIterator b = Datasets.open(spec).iterator(Split.TRAIN, 8, true);
        DataSet epoch0 = a.next();
        DataSet twin = b.next();
        assertEquals(epoch0.getFeatures(), twin.getFeatures());
        assertEquals(epoch0.getLabels(), twin.getLabels());
        a.reset();
        DataSet epoch1 = a.next();
        assertNotEquals(epoch0.getFeatures(), epoch1.getFeatures(), "a new epoch reshuffles");
        a.reset();
        assertEquals(dataset.size(Split.TRAIN), checkBatches(a));
    }

    @Test
    void bareRootIsSplitByFractionsAndKeepsClassIdsInEverySplit(@TempDir Path dir) {
        classFolder(dir.resolve("a_red"), RED, 7);
        classFolder(dir.resolve("b_green"), GREEN, 5);
        var spec = spec(dir);
        spec.testFraction = 0.25;
        Dataset dataset = Datasets.open(spec);
        assertEquals(12, dataset.size(Split.TRAIN) + dataset.size(Split.VALIDATION) + dataset.size(Split.TEST));
        assertEquals(3, dataset.size(Split.TEST));
        for (Split split : Split.values()) {
            checkBatches(dataset.iterator(split, 2, false));
        }
        assertEquals(dataset.fingerprint(), Datasets.open(spec).fingerprint());
    }

    @Test
    void fingerprintFollowsContent(@TempDir Path dir) {
        var spec = spec(intelLayout(dir));
        String before = Datasets.open(spec).fingerprint();
        assertEquals(64, before.length());
        TestImages.jpg(dir.resolve("seg_train/seg_train/forest/img0.jpg"), TestImages.rgb(20, 12, (x, y) -> GREEN + 1));
        assertNotEquals(before, Datasets.open(spec).fingerprint());
    }

    @Test
    void emptyClassFolderIsNamed(@TempDir Path dir) throws Exception {
        intelLayout(dir);
        Path empty = Files.createDirectories(dir.resolve("seg_train/seg_train/glacier"));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(spec(dir)));
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("no images"), e.getMessage());
    }

    @Test
    void rootWithoutClassFoldersIsNamed(@TempDir Path dir) {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(spec(dir)));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("no class folders"),
                e.getMessage());
    }

    @Test
    void truncatedImageIsNamed(@TempDir Path dir) {
        intelLayout(dir);
        Path bad = dir.resolve("seg_train/seg_train/forest/img2.jpg");
        TestImages.truncate(bad, 0.6);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(spec(dir)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void unreadableImageIsNamed(@TempDir Path dir) {
        intelLayout(dir);
        Path bad = dir.resolve("seg_test/seg_test/forest/broken.jpg");
        TestImages.garbage(bad);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(spec(dir)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("Cannot read image"),
                e.getMessage());
    }

    @Test
    void corruptImageBodyIsNamedWhenDecoded(@TempDir Path dir) throws Exception {
        intelLayout(dir);
        // JPEG start and end markers around garbage: passes the up-front check, fails in the decoder.
        Path bad = dir.resolve("seg_test/seg_test/buildings/corrupt.jpg");
        byte[] bytes = new byte[200];
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xD8;
        bytes[2] = (byte) 0xFF;
        bytes[198] = (byte) 0xFF;
        bytes[199] = (byte) 0xD9;
        Files.write(bad, bytes);
        Dataset dataset = Datasets.open(spec(dir));
        DataSetIterator test = dataset.iterator(Split.TEST, 10, false);
        DatasetException e = assertThrows(DatasetException.class, test::next);
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void testClassFolderUnknownToTrainingIsNamed(@TempDir Path dir) {
        intelLayout(dir);
        classFolder(dir.resolve("seg_test/seg_test/sea"), GREEN, 1);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(spec(dir)));
        assertTrue(e.getMessage().contains("sea"), e.getMessage());
    }

    @Test
    void testFractionIsRejectedWhereATestFolderExists(@TempDir Path dir) {
        var spec = spec(intelLayout(dir));
        spec.testFraction = 0.2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(spec));
        assertTrue(e.getMessage().contains("testFraction"), e.getMessage());
    }
}
