package io.distill4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The aerial seed layout and plain images/masks folders, from miniatures written by the test. */
class SegmentationFoldersTest {

    /** The aerial mask colours in class-id order: Building, Land, Road, Vegetation, Water, Unlabeled. */
    private static final int[] AERIAL = {0x3C1098, 0x8429F6, 0x6EC1E4, 0xFEDD3A, 0xE2A929, 0x9B9B9B};

    /** The class of pixel (x, y) in the test masks: 4×4 blocks cycling through the six classes. */
    private static int classAt(int x, int y) {
        return (x / 4 + 3 * (y / 4)) % 6;
    }

    /** Writes image (JPEG, a colour per class) and RGB mask (PNG, the exact hex colours). */
    private static void pair(Path tile, String name, int width, int height) {
        TestImages.jpg(tile.resolve("images/" + name + ".jpg"),
                TestImages.rgb(width, height, (x, y) -> 0x202020 * (1 + classAt(x, y))));
        TestImages.png(tile.resolve("masks/" + name + ".png"),
                TestImages.rgb(width, height, (x, y) -> AERIAL[classAt(x, y)]));
    }

    /** Five images: two of 40×24 (two 16×16 patches each) and three of 33×33 (four each): 16 patches. */
    private static Path aerial(Path root) {
        pair(root.resolve("Tile 1"), "image_part_001", 40, 24);
        pair(root.resolve("Tile 1"), "image_part_002", 40, 24);
        pair(root.resolve("Tile 2"), "image_part_001", 33, 33);
        pair(root.resolve("Tile 2"), "image_part_002", 33, 33);
        pair(root.resolve("Tile 2"), "image_part_003", 33, 33);
        return root;
    }

    private static DatasetSpec.Aerial aerialSpec(Path root) {
        var spec = new DatasetSpec.Aerial();
        spec.path = root.toString();
        spec.patchSize = 16;
        spec.validationFraction = 0.2;
        spec.testFraction = 0.2;
        return spec;
    }

    private static String error(DatasetSpec spec) {
        return assertThrows(DatasetException.class, () -> Datasets.open(spec)).getMessage();
    }

    @Test
    void aerialLayoutIsCroppedAndCutIntoPatchesWithExactLabels(@TempDir Path dir) {
        Dataset dataset = Datasets.open(aerialSpec(aerial(dir)));
        assertEquals(Task.SEGMENTATION, dataset.task());
        assertEquals(List.of("Building", "Land", "Road", "Vegetation", "Water", "Unlabeled"), dataset.classNames());
        assertEquals(16, dataset.height());
        int total = 0;
        for (Split split : Split.values()) {
            total += dataset.size(split);
            DataSetIterator iterator = dataset.iterator(split, 4, false);
            while (iterator.hasNext()) {
                DataSet batch = iterator.next();
                long n = batch.numExamples();
                assertArrayEquals(new long[]{n, 3, 16, 16}, batch.getFeatures().shape());
                assertArrayEquals(new long[]{n, 1, 16, 16}, batch.getLabels().shape());
                for (int i = 0; i < n; i++) {
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 16; x++) {
                            // The test image's grey level encodes the class of the same pixel (JPEG blurs it a bit).
                            int label = batch.getLabels().getInt(i, 0, y, x);
                            int grey = Math.round(batch.getFeatures().getFloat(i, 0, y, x) * 255);
                            assertEquals(0x20 * (1 + label), grey, 12, "image and mask agree at " + x + "," + y);
                        }
                    }
                }
            }
        }
        assertEquals(16, total);
        assertTrue(List.of(2, 4).contains(dataset.size(Split.TEST)), "one test image: 2 or 4 patches");
    }

    @Test
    void patchesKeepTheTopLeftCropAndExactIds(@TempDir Path dir) {
        aerial(dir);
        Path tile = dir.resolve("Tile 1");
        Samples patches = SegmentationFolders.patches(new SegmentationFolders.Pair(
                tile.resolve("images/image_part_001.jpg"), tile.resolve("masks/image_part_001.png")), 16,
                new ColorMap(ColorMap.AERIAL, 0));
        assertEquals(2, patches.size());
        for (int p = 0; p < 2; p++) {
            byte[] mask = patches.label(p);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    assertEquals(classAt(16 * p + x, y), mask[y * 16 + x], "patch " + p + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void splitsFollowSourceImagesAndTheSeed(@TempDir Path dir) {
        var spec = aerialSpec(aerial(dir));
        Dataset a = Datasets.open(spec);
        Dataset b = Datasets.open(spec);
        assertEquals(a.fingerprint(), b.fingerprint());
        for (Split split : Split.values()) {
            assertEquals(a.size(split), b.size(split));
            // Whole images: 2 or 4 patches each, never a part of one image's patches.
            assertTrue(a.size(split) % 2 == 0, split + " has " + a.size(split));
        }
        spec.seed = 7L;
        assertTrue(Datasets.open(spec).size(Split.TRAIN) > 0);
    }

    @Test
    void nearColoursMatchWithinTheTolerance(@TempDir Path dir) {
        aerial(dir);
        TestImages.png(dir.resolve("Tile 1/masks/image_part_002.png"), TestImages.rgb(40, 24,
                (x, y) -> x == 0 && y == 0 ? 0x3E1299 : AERIAL[classAt(x, y)]));
        assertEquals(16, totalSize(Datasets.open(aerialSpec(dir))));
        var strict = aerialSpec(dir);
        strict.colorTolerance = 0;
        String message = error(strict);
        assertTrue(message.contains("#3E1299") && message.contains("1 pixels"), message);
    }

    @Test
    void maskColourOutsideTheMapIsReportedWithCountAndFile(@TempDir Path dir) {
        aerial(dir);
        Path mask = dir.resolve("Tile 2/masks/image_part_002.png");
        TestImages.png(mask, TestImages.rgb(33, 33, (x, y) -> x < 3 && y < 4 ? 0xFF0000 : AERIAL[classAt(x, y)]));
        String message = error(aerialSpec(dir));
        assertTrue(message.contains("#FF0000") && message.contains("12 pixels") && message.contains(mask.toString()),
                message);
    }

    @Test
    void maskOfAnotherSizeIsNamed(@TempDir Path dir) {
        aerial(dir);
        Path mask = dir.resolve("Tile 1/masks/image_part_001.png");
        TestImages.png(mask, TestImages.rgb(40, 20, (x, y) -> AERIAL[1]));
        String message = error(aerialSpec(dir));
        assertTrue(message.contains(mask.toString()) && message.contains("40x20") && message.contains("40x24"),
                message);
    }

    @Test
    void imageWithoutMaskIsNamed(@TempDir Path dir) throws Exception {
        aerial(dir);
        Files.delete(dir.resolve("Tile 2/masks/image_part_003.png"));
        String message = error(aerialSpec(dir));
        assertTrue(message.contains(dir.resolve("Tile 2/images/image_part_003.jpg").toString())
                && message.contains("no mask"), message);
    }

    @Test
    void maskWithoutImageIsNamed(@TempDir Path dir) throws Exception {
        aerial(dir);
        Files.delete(dir.resolve("Tile 2/images/image_part_003.jpg"));
        String message = error(aerialSpec(dir));
        assertTrue(message.contains("image_part_003.png") && message.contains("no image"), message);
    }

    @Test
    void emptyImagesFolderIsNamed(@TempDir Path dir) throws Exception {
        aerial(dir);
        Files.createDirectories(dir.resolve("Tile 3/images"));
        Files.createDirectories(dir.resolve("Tile 3/masks"));
        String message = error(aerialSpec(dir));
        assertTrue(message.contains(dir.resolve("Tile 3/images").toString()) && message.contains("no images"),
                message);
    }

    @Test
    void rootWithoutTilesIsNamed(@TempDir Path dir) {
        String message = error(aerialSpec(dir));
        assertTrue(message.contains(dir.toString()), message);
        var missing = aerialSpec(dir.resolve("absent"));
        assertTrue(error(missing).contains("absent"));
    }

    @Test
    void truncatedAndUnreadableFilesAreNamed(@TempDir Path dir) {
        aerial(dir);
        Path image = dir.resolve("Tile 2/images/image_part_001.jpg");
        TestImages.truncate(image, 0.5);
        String message = error(aerialSpec(dir));
        assertTrue(message.contains(image.toString()) && message.contains("truncated"), message);

        aerial(dir);
        Path mask = dir.resolve("Tile 1/masks/image_part_002.png");
        TestImages.truncate(mask, 0.7);
        message = error(aerialSpec(dir));
        assertTrue(message.contains(mask.toString()) && message.contains("truncated"), message);

        aerial(dir);
        TestImages.garbage(mask);
        message = error(aerialSpec(dir));
        assertTrue(message.contains(mask.toString()) && message.contains("Cannot read image"), message);
    }

    @Test
    void imageSmallerThanThePatchIsNamed(@TempDir Path dir) {
        aerial(dir);
        pair(dir.resolve("Tile 1"), "tiny", 12, 40);
        String message = error(aerialSpec(dir));
        assertTrue(message.contains("tiny.jpg") && message.contains("patch size 16"), message);
    }

    // image-mask-folders

    private static DatasetSpec.ImageMaskFolders folderSpec(Path root) {
        var spec = new DatasetSpec.ImageMaskFolders();
        spec.path = root.toString();
        spec.patchSize = 16;
        spec.validationFraction = 0.0;
        spec.testFraction = 0.0;
        return spec;
    }

    private static void image(Path root, String name) {
        TestImages.jpg(root.resolve("images/" + name + ".jpg"), TestImages.rgb(16, 16, (x, y) -> 0x808080));
    }

    @Test
    void paletteMasksGiveTheirIndexAsClassId(@TempDir Path dir) {
        byte[] r = {0, (byte) 255, 0, 0};
        byte[] g = {0, 0, (byte) 255, 0};
        byte[] b = {0, 0, 0, (byte) 255};
        BufferedImage mask = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 4, r, g, b));
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                mask.getRaster().setSample(x, y, 0, (x + y) % 4);
            }
        }
        image(dir, "one");
        TestImages.png(dir.resolve("masks/one.png"), mask);
        var spec = folderSpec(dir);
        spec.classNames = List.of("none", "red", "green", "blue");
        Dataset dataset = Datasets.open(spec);
        assertEquals(spec.classNames, dataset.classNames());
        DataSet batch = dataset.iterator(Split.TRAIN, 1, false).next();
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                assertEquals((x + y) % 4, batch.getLabels().getInt(0, 0, y, x));
            }
        }

        spec.classNames = List.of("none", "red", "green");
        String message = error(spec);
        assertTrue(message.contains("value 3") && message.contains("64 pixels")
                && message.contains(dir.resolve("masks/one.png").toString()), message);
    }

    @Test
    void greyMasksWithoutNamesNumberTheClassesFound(@TempDir Path dir) {
        BufferedImage mask = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 16; x++) {
            for (int y = 0; y < 16; y++) {
                mask.getRaster().setSample(x, y, 0, x / 6);
            }
        }
        image(dir, "a");
        TestImages.png(dir.resolve("masks/a.png"), mask);
        Dataset dataset = Datasets.open(folderSpec(dir));
        assertEquals(List.of("class 0", "class 1", "class 2"), dataset.classNames());
        assertEquals(3, dataset.classColors().size());
        assertEquals(2, dataset.iterator(Split.TRAIN, 1, false).next().getLabels().getInt(0, 0, 0, 15));
    }

    @Test
    void rgbMasksNeedAColourMap(@TempDir Path dir) {
        image(dir, "a");
        Path mask = TestImages.png(dir.resolve("masks/a.png"), TestImages.rgb(16, 16,
                (x, y) -> x < 8 ? 0x000000 : 0xFF8800));
        String message = error(folderSpec(dir));
        assertTrue(message.contains(mask.toString()) && message.contains("colorMap"), message);

        var spec = folderSpec(dir);
        spec.colorMap = List.of(new DatasetSpec.ClassColor("background", "#000000"),
                new DatasetSpec.ClassColor("cat", "#FF8800"));
        Dataset dataset = Datasets.open(spec);
        assertEquals(List.of("background", "cat"), dataset.classNames());
        DataSet batch = dataset.iterator(Split.TRAIN, 1, false).next();
        assertEquals(0, batch.getLabels().getInt(0, 0, 3, 2));
        assertEquals(1, batch.getLabels().getInt(0, 0, 3, 12));
    }

    @Test
    void missingImagesOrMasksFolderIsNamed(@TempDir Path dir) {
        image(dir, "a");
        String message = error(folderSpec(dir));
        assertTrue(message.contains(dir.toString()) && message.contains("masks"), message);
    }

    private static int totalSize(Dataset dataset) {
        int total = 0;
        for (Split split : Split.values()) {
            total += dataset.size(split);
        }
        return total;
    }
}
