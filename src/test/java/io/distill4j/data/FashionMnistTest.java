package io.distill4j.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fashion-MNIST classification and scenes, from IDX records written by the test and from the real files. */
class FashionMnistTest {

    private static final Path REAL = Path.of(DatasetSpec.DEFAULT_FASHION_MNIST_PATH);

    /** An item of class {@code label}: a rectangle of brightness 100 + 10·label, so pixels give their class away. */
    private static byte[] item(int label, int k) {
        byte[] pixels = new byte[28 * 28];
        for (int y = 4; y < 24; y++) {
            for (int x = 6 + k % 4; x < 22; x++) {
                pixels[y * 28 + x] = (byte) (100 + 10 * label);
            }
        }
        return pixels;
    }

    private static void writeIdx(Path dir, String prefix, int[] labels, boolean gzip) throws IOException {
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(images);
        out.writeInt(0x803);
        out.writeInt(labels.length);
        out.writeInt(28);
        out.writeInt(28);
        for (int i = 0; i < labels.length; i++) {
            out.write(item(labels[i], i));
        }
        ByteArrayOutputStream labelBytes = new ByteArrayOutputStream();
        DataOutputStream lout = new DataOutputStream(labelBytes);
        lout.writeInt(0x801);
        lout.writeInt(labels.length);
        for (int label : labels) {
            lout.write(label);
        }
        write(dir.resolve(prefix + "-images-idx3-ubyte" + (gzip ? ".gz" : "")), images.toByteArray(), gzip);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + (gzip ? ".gz" : "")), labelBytes.toByteArray(), gzip);
    }

    private static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    /** Train items of classes 0-5, test items of classes 7-9; train gzipped, test plain, as both occur. */
    private static Path miniature(Path dir) throws IOException {
        writeIdx(dir, "train", new int[]{0, 1, 2, 3, 4, 5}, true);
        writeIdx(dir, "t10k", new int[]{7, 8, 9}, false);
        return dir;
    }

    private static DatasetSpec.FashionMnist classification(Path dir) {
        var spec = new DatasetSpec.FashionMnist();
        spec.path = dir.toString();
        return spec;
    }

    private static DatasetSpec.FashionMnistScenes scenes(Path dir) {
        var spec = new DatasetSpec.FashionMnistScenes();
        spec.path = dir.toString();
        return spec;
    }

    @Test
    void classificationReadsIdxRecordsWithTheirLabels(@TempDir Path dir) throws IOException {
        var spec = classification(miniature(dir));
        spec.validationFraction = 0.34;
        Dataset dataset = Datasets.open(spec);
        assertEquals(Task.CLASSIFICATION, dataset.task());
        assertEquals(FashionMnistReader.CLASS_NAMES, dataset.classNames());
        assertEquals(1, dataset.channels());
        assertEquals(28, dataset.height());
        assertEquals(4, dataset.size(Split.TRAIN));
        assertEquals(2, dataset.size(Split.VALIDATION));
        assertEquals(3, dataset.size(Split.TEST));
        for (Split split : Split.values()) {
            DataSet batch = dataset.iterator(split, 10, true).next();
            long n = batch.numExamples();
            assertArrayEquals(new long[]{n, 1, 28, 28}, batch.getFeatures().shape());
            assertArrayEquals(new long[]{n, 1}, batch.getLabels().shape());
            for (int i = 0; i < n; i++) {
                int label = batch.getLabels().getInt(i, 0);
                double brightest = batch.getFeatures().slice(i).maxNumber().doubleValue() * 255;
                assertEquals(100 + 10 * label, brightest, 1e-3, split + " sample " + i);
                assertEquals(split == Split.TEST, label >= 7, "test items come from the t10k file");
            }
        }
    }

    @Test
    void scenesPasteItemsAndLabelTheirPixels(@TempDir Path dir) throws IOException {
        var spec = scenes(miniature(dir));
        spec.height = 32;
        spec.width = 40;
        spec.samples = 20;
        spec.maxItems = 3;
        Dataset dataset = Datasets.open(spec);
        assertEquals(Task.SEGMENTATION, dataset.task());
        assertEquals(11, dataset.numClasses());
        assertEquals("Background", dataset.classNames().get(0));
        assertEquals("Ankle boot", dataset.classNames().get(10));
        for (Split split : Split.values()) {
            DataSetIterator iterator = dataset.iterator(split, 20, false);
            DataSet batch = iterator.next();
            long n = batch.numExamples();
            assertArrayEquals(new long[]{n, 1, 32, 40}, batch.getFeatures().shape());
            assertArrayEquals(new long[]{n, 1, 32, 40}, batch.getLabels().shape());
            float[] image = batch.getFeatures().data().asFloat();
            float[] mask = batch.getLabels().data().asFloat();
            Set<Integer> classes = new HashSet<>();
            for (int i = 0; i < mask.length; i++) {
                int id = (int) mask[i];
                int value = Math.round(image[i] * 255);
                classes.add(id);
                if (id == 0) {
                    assertTrue(value <= 51, "background pixels are dark");
                } else {
                    assertEquals(100 + 10 * (id - 1), value, "an item pixel shows its item");
                }
            }
            assertTrue(classes.contains(0) && classes.size() > 1, split + ": " + classes);
            for (int id : classes) {
                assertTrue(id == 0 || (split == Split.TEST) == (id >= 8), split + " has class " + id);
            }
        }
        assertEquals(dataset.fingerprint(), Datasets.open(spec).fingerprint(), "deterministic");
        spec.seed = 1L;
        assertNotEquals(dataset.fingerprint(), Datasets.open(spec).fingerprint());
    }

    @Test
    void sceneSmallerThanAnItemIsRejected(@TempDir Path dir) throws IOException {
        var spec = scenes(miniature(dir));
        spec.height = 16;
        String message = assertThrows(IllegalArgumentException.class, () -> Datasets.open(spec)).getMessage();
        assertTrue(message.contains("16x64"), message);
    }

    @Test
    void missingIdxFileIsNamed(@TempDir Path dir) throws IOException {
        miniature(dir);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> Datasets.open(classification(dir)));
        assertTrue(e.getMessage().contains(dir.resolve("t10k-labels-idx1-ubyte").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void truncatedOrForeignIdxFilesAreNamed(@TempDir Path dir) throws IOException {
        miniature(dir);
        Path images = dir.resolve("t10k-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 100));
        DatasetException e = assertThrows(DatasetException.class,
                () -> Datasets.open(classification(dir)));
        assertTrue(e.getMessage().contains(images.toString()) && e.getMessage().contains("truncated"), e.getMessage());

        bytes[3] = 0x01; // a labels magic number in an images file
        Files.write(images, bytes);
        e = assertThrows(DatasetException.class, () -> Datasets.open(classification(dir)));
        assertTrue(e.getMessage().contains(images.toString()) && e.getMessage().contains("magic"), e.getMessage());

        writeIdx(dir, "t10k", new int[]{7, 8, 9}, false);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        byte[] labelBytes = Files.readAllBytes(labels);
        labelBytes[7] = 2; // header says 2 labels for 3 images
        Files.write(labels, Arrays.copyOf(labelBytes, 10));
        e = assertThrows(DatasetException.class, () -> Datasets.open(classification(dir)));
        assertTrue(e.getMessage().contains("3 images but 2 labels"), e.getMessage());
    }

    @Test
    void realFashionMnistFiles() {
        Assumptions.assumeTrue(Files.exists(REAL.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed at " + REAL + " (apt-get install dataset-fashion-mnist); skipped");
        var spec = new DatasetSpec.FashionMnist();
        spec.samples = 1000;
        Dataset dataset = Datasets.open(spec);
        assertEquals(900, dataset.size(Split.TRAIN));
        assertEquals(100, dataset.size(Split.VALIDATION));
        assertEquals(10_000, dataset.size(Split.TEST));
        DataSet batch = dataset.iterator(Split.TEST, 256, false).next();
        assertArrayEquals(new long[]{256, 1, 28, 28}, batch.getFeatures().shape());
        int[] counts = new int[10];
        for (float label : batch.getLabels().data().asFloat()) {
            counts[(int) label]++;
        }
        assertTrue(Arrays.stream(counts).allMatch(c -> c > 5), Arrays.toString(counts));

        var scenes = new DatasetSpec.FashionMnistScenes();
        scenes.samples = 40;
        Dataset sceneSet = Datasets.open(scenes);
        DataSet sceneBatch = sceneSet.iterator(Split.TRAIN, 8, true).next();
        assertArrayEquals(new long[]{8, 1, 64, 64}, sceneBatch.getLabels().shape());
        assertTrue(sceneBatch.getLabels().maxNumber().intValue() >= 1);
        assertTrue(sceneBatch.getLabels().maxNumber().intValue() <= 10);
    }
}
