package io.distill4j.data;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Classification from one folder per class, read lazily through DataVec's {@code ImageRecordReader} and resized to
 * H×W (64×64 by default). Understands the Intel image classification layout
 * ({@code seg_train/seg_train/<class>}, {@code seg_test/seg_test/<class>}; {@code seg_pred} is unlabelled and
 * ignored), a {@code train/} + {@code test/} root, and a bare root of class folders, split by fractions.
 */
final class ImageFolderReader extends BaseDataset {

    /** An image file and its class id. */
    record Item(Path file, int classId) {
    }

    private final Map<Split, List<Item>> splits;
    private final Path root;

    private ImageFolderReader(String name, DatasetSpec spec, Path root, int height, int width, List<String> classNames,
                         Map<Split, List<Item>> splits) {
        super(name, Task.CLASSIFICATION, spec, 3, height, width, classNames,
                ColorMap.palette(classNames.size() + 1).subList(1, classNames.size() + 1));
        this.root = root;
        this.splits = splits;
    }

    static Dataset open(DatasetSpec.ImageFolders spec) {
        Path root = SegmentationFolders.root(spec.type(), spec.path);
        Path train = nested(root, "seg_train");
        Path test = nested(root, "seg_test");
        if (train == null) {
            train = Files.isDirectory(root.resolve("train")) && Files.isDirectory(root.resolve("test"))
                    ? root.resolve("train") : root;
            test = train == root ? null : root.resolve("test");
        }
        if (test != null && spec.testFraction != null) {
            throw new IllegalArgumentException("data.testFraction: does not apply, " + root
                    + " has a test folder of its own (" + test + ")");
        }
        List<Path> classFolders = ImageFiles.subfolders(train);
        if (classFolders.isEmpty()) {
            throw new DatasetException("Image folder " + train + " has no class folders (expected one folder "
                    + "of images per class)");
        }
        List<String> classNames = new ArrayList<>();
        for (Path folder : classFolders) {
            classNames.add(folder.getFileName().toString());
        }
        List<Item> trainItems = items(train, classNames);
        Map<Split, List<Item>> splits = new EnumMap<>(Split.class);
        // stratified: on a small set, a plain shuffle can put most validation images in one class
        Map<Split, List<Integer>> parts = Splits.stratified(trainItems.stream().mapToInt(Item::classId).toArray(),
                spec.validationFractionOrDefault(),
                test != null ? 0 : spec.testFractionOrDefault(), spec.seedOrDefault(), "image folders " + train);
        parts.forEach((split, indices) -> splits.put(split, indices.stream().map(trainItems::get).toList()));
        if (test != null) {
            for (Path folder : ImageFiles.subfolders(test)) {
                if (!classNames.contains(folder.getFileName().toString())) {
                    throw new DatasetException("Test class folder " + folder + " has no counterpart in " + train
                            + " (classes: " + String.join(", ", classNames) + ")");
                }
            }
            splits.put(Split.TEST, items(test, classNames));
        }
        int height = spec.heightOrDefault();
        int width = spec.widthOrDefault();
        int total = splits.values().stream().mapToInt(List::size).sum();
        return new ImageFolderReader("image-folders " + root + " (" + classNames.size() + " classes, " + total
                + " images at " + height + "x" + width + ")", spec, root, height, width, classNames, splits);
    }

    /** {@code root/name/name} (the Intel archive's nesting) or {@code root/name}, or null. */
    private static Path nested(Path root, String name) {
        Path twice = root.resolve(name).resolve(name);
        if (Files.isDirectory(twice)) {
            return twice;
        }
        return Files.isDirectory(root.resolve(name)) ? root.resolve(name) : null;
    }

    /**
     * The images of every class folder, each checked for a known format and completeness up front, so a bad file
     * is named before training rather than failing deep inside a batch.
     */
    private static List<Item> items(Path folder, List<String> classNames) {
        List<Item> items = new ArrayList<>();
        for (Path classFolder : ImageFiles.subfolders(folder)) {
            List<Path> files = ImageFiles.list(classFolder);
            if (files.isEmpty()) {
                throw new DatasetException("Class folder " + classFolder + " holds no images");
            }
            int classId = classNames.indexOf(classFolder.getFileName().toString());
            for (Path file : files) {
                ImageFiles.checkComplete(file);
                items.add(new Item(file, classId));
            }
        }
        return items;
    }

    @Override
    public DataSetIterator iterator(Split split, int batchSize, boolean shuffle) {
        return new ImageFolderIterator(splits.get(split), classNames(), height(), width(), batchSize, shuffle,
                augments(split), iteratorSeed(split), normalizer());
    }

    @Override
    public int size(Split split) {
        return splits.get(split).size();
    }

    /** Each file's path below the root, class and bytes: moving the root keeps the fingerprint. */
    @Override
    void hashContent(Split split, Fingerprint hash) {
        for (Item item : splits.get(split)) {
            try {
                hash.add(root.relativize(item.file()).toString().replace('\\', '/'))
                        .add(item.classId()).add(Files.readAllBytes(item.file()));
            } catch (IOException e) {
                throw new DatasetException("Cannot read image " + item.file() + ": " + e.getMessage(), e);
            }
        }
    }
}
