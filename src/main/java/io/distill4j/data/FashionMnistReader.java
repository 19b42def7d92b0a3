package io.distill4j.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fashion-MNIST from the IDX files ({@code /usr/share/datasets/fashion-mnist} by default): the classification set
 * (train 60k split into train and validation, the 10k test file as test) and the segmentation "scenes" built from it.
 */
final class FashionMnistReader {

    static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Training or test images with their labels. */
    record Part(IdxFiles.Images images, byte[] labels) {
    }

    private FashionMnistReader() {
    }

    /** The folder of the IDX files: the spec's {@code path} or Debian's. */
    static Path folder(String path) {
        return Path.of(path != null ? path : DatasetSpec.DEFAULT_FASHION_MNIST_PATH);
    }

    static Part read(Path folder, String prefix) {
        Path imageFile = IdxFiles.locate(folder, prefix + "-images-idx3-ubyte");
        Path labelFile = IdxFiles.locate(folder, prefix + "-labels-idx1-ubyte");
        IdxFiles.Images images = IdxFiles.readImages(imageFile);
        byte[] labels = IdxFiles.readLabels(labelFile);
        if (images.count() != labels.length) {
            throw new DatasetException("IDX files " + imageFile + " and " + labelFile + " disagree: "
                    + images.count() + " images but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) >= CLASS_NAMES.size()) {
                throw new DatasetException("IDX file " + labelFile + ": label " + (labels[i] & 0xFF) + " at record "
                        + i + " is not a Fashion-MNIST class (0-9)");
            }
        }
        return new Part(images, labels);
    }

    /** {@code type: fashion-mnist}: 28×28 grey images, 10 classes. */
    static Dataset openClassification(DatasetSpec.FashionMnist spec) {
        Path folder = folder(spec.path);
        Part train = read(folder, "train");
        Part test = read(folder, "t10k");
        int rows = train.images().rows();
        int cols = train.images().cols();
        int pool = Math.min(train.labels().length, DatasetSpec.orDefault(spec.samples, Integer.MAX_VALUE));
        Samples trainPool = new Samples(1, rows, cols, false);
        for (int i = 0; i < pool; i++) {
            trainPool.add(train.images().image(i), new byte[]{train.labels()[i]});
        }
        Samples testSamples = new Samples(1, rows, cols, false);
        for (int i = 0; i < test.labels().length; i++) {
            testSamples.add(test.images().image(i), new byte[]{test.labels()[i]});
        }
        Map<Split, List<Integer>> parts = Splits.partition(pool, spec.validationFractionOrDefault(), 0,
                spec.seedOrDefault(), "fashion-mnist " + folder);
        Map<Split, Samples> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, trainPool.subset(parts.get(Split.TRAIN)));
        splits.put(Split.VALIDATION, trainPool.subset(parts.get(Split.VALIDATION)));
        splits.put(Split.TEST, testSamples);
        return new InMemoryDataset("fashion-mnist " + rows + "x" + cols + " (" + pool + " train+validation, "
                + testSamples.size() + " test)", Task.CLASSIFICATION, spec, CLASS_NAMES,
                ColorMap.palette(CLASS_NAMES.size() + 1).subList(1, CLASS_NAMES.size() + 1), splits);
    }

    /**
     * {@code type: fashion-mnist-scenes}: canvases (64×64 by default) with 1 to {@code maxItems} items pasted at
     * random positions; an item's pixels brighter than {@code itemThreshold} get its class (1-10), the rest stays
     * background (0). Test scenes are made from the test file's items, so no garment is seen in training and test.
     */
    static Dataset openScenes(DatasetSpec.FashionMnistScenes spec) {
        Path folder = folder(spec.path);
        Part train = read(folder, "train");
        Part test = read(folder, "t10k");
        int height = spec.heightOrDefault();
        int width = spec.widthOrDefault();
        int itemRows = train.images().rows();
        int itemCols = train.images().cols();
        if (height < itemRows || width < itemCols) {
            throw new IllegalArgumentException("data.height/width: a scene must hold a " + itemRows + "x" + itemCols
                    + " item, got " + height + "x" + width);
        }
        int count = DatasetSpec.orDefault(spec.samples, 3000);
        int maxItems = DatasetSpec.orDefault(spec.maxItems, 4);
        int threshold = (int) Math.floor(DatasetSpec.orDefault(spec.itemThreshold, 0.2) * 255);
        long seed = spec.seedOrDefault();

        Map<Split, List<Integer>> parts = Splits.partition(count, spec.validationFractionOrDefault(),
                spec.testFractionOrDefault(), seed, "fashion-mnist-scenes");
        Map<Split, Samples> splits = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            Part items = split == Split.TEST ? test : train;
            Samples samples = new Samples(1, height, width, true);
            for (int index : parts.get(split)) {
                byte[][] scene = scene(seed, index, items, height, width, maxItems, threshold);
                samples.add(scene[0], scene[1]);
            }
            splits.put(split, samples);
        }
        List<String> names = new ArrayList<>();
        names.add("Background");
        names.addAll(CLASS_NAMES);
        return new InMemoryDataset("fashion-mnist-scenes " + height + "x" + width + " (" + count + " scenes, seed "
                + seed + ")", Task.SEGMENTATION, spec, names, ColorMap.palette(names.size()), splits);
    }

    /** Scene {@code index}: image and mask; depends only on the seed, the index and the item pool. */
    static byte[][] scene(long seed, int index, Part items, int height, int width, int maxItems, int threshold) {
        Random random = new Random(seed * 0x2545F4914F6CDD1DL + index);
        byte[] image = new byte[height * width];
        byte[] mask = new byte[height * width];
        int rows = items.images().rows();
        int cols = items.images().cols();
        int count = 1 + random.nextInt(maxItems);
        for (int k = 0; k < count; k++) {
            int item = random.nextInt(items.labels().length);
            int top = random.nextInt(height - rows + 1);
            int left = random.nextInt(width - cols + 1);
            byte classId = (byte) (1 + items.labels()[item]);
            int offset = item * rows * cols;
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    int value = items.images().pixels()[offset + y * cols + x] & 0xFF;
                    int target = (top + y) * width + left + x;
                    if (value > threshold) {
                        // The later item lies on top: it owns the pixel, in the image and in the mask.
                        image[target] = (byte) value;
                        mask[target] = classId;
                    } else if (value > (image[target] & 0xFF)) {
                        image[target] = (byte) value;
                    }
                }
            }
        }
        return new byte[][]{image, mask};
    }
}
