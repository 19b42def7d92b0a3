package io.distill4j.data;

import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

import java.awt.Color;
import java.util.List;
import java.util.OptionalInt;

/** What every dataset states about itself (shape, classes, colours, ignore index, scaling); subclasses add the data. */
abstract class BaseDataset implements Dataset {

    private final String name;
    private final Task task;
    private final DatasetSpec spec;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classNames;
    private final List<Color> classColors;
    private final OptionalInt ignoreIndex;
    /** 8-bit pixels to [0, 1]; stateless, so nothing to fit. */
    private final DataNormalization normalizer = new ImagePreProcessingScaler(0, 1);
    private String fingerprint;

    BaseDataset(String name, Task task, DatasetSpec spec, int channels, int height, int width,
                List<String> classNames, List<Color> classColors) {
        if (classNames.size() != classColors.size()) {
            throw new IllegalArgumentException(classNames.size() + " class names but " + classColors.size()
                    + " colours");
        }
        if (classNames.size() > 256) {
            throw new DatasetException(name + ": " + classNames.size() + " classes; at most 256 are supported");
        }
        this.name = name;
        this.task = task;
        this.spec = spec;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classNames = List.copyOf(classNames);
        this.classColors = List.copyOf(classColors);
        this.ignoreIndex = resolveIgnore(spec, this.classNames);
    }

    /**
     * The class id named by {@code ignoreClass} or given by {@code ignoreIndex}.
     *
     * @throws IllegalArgumentException for a name or id that is not a class
     */
    static OptionalInt resolveIgnore(DatasetSpec spec, List<String> classNames) {
        if (spec.ignoreClass != null) {
            int index = classNames.indexOf(spec.ignoreClass);
            if (index < 0) {
                throw new IllegalArgumentException("data.ignoreClass: '" + spec.ignoreClass
                        + "' is not a class (classes: " + String.join(", ", classNames) + ")");
            }
            return OptionalInt.of(index);
        }
        if (spec.ignoreIndex != null) {
            if (spec.ignoreIndex >= classNames.size()) {
                throw new IllegalArgumentException("data.ignoreIndex: must be < " + classNames.size()
                        + " (the number of classes), got " + spec.ignoreIndex);
            }
            return OptionalInt.of(spec.ignoreIndex);
        }
        return OptionalInt.empty();
    }

    /** Adds one split's content (sample bytes, or files and their bytes) to the fingerprint. */
    abstract void hashContent(Split split, Fingerprint hash);

    /** Hashes the spec (less its path), the class names and each split's content; computed once. */
    @Override
    public synchronized String fingerprint() {
        if (fingerprint == null) {
            Fingerprint hash = new Fingerprint().addSpec(spec);
            classNames.forEach(hash::add);
            for (Split split : Split.values()) {
                hash.add(split.name()).add(size(split));
                hashContent(split, hash);
            }
            fingerprint = hash.hex();
        }
        return fingerprint;
    }

    /** Seed of one split's iterators, so that splits never share a shuffle. */
    long iteratorSeed(Split split) {
        return spec.seedOrDefault() * 31 + split.ordinal() + 1;
    }

    /** Augmentation applies to training batches only, and only when the spec asks for it. */
    boolean augments(Split split) {
        return split == Split.TRAIN && spec.augmentOrDefault();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public DatasetSpec spec() {
        return spec;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public List<Color> classColors() {
        return classColors;
    }

    @Override
    public OptionalInt ignoreIndex() {
        return ignoreIndex;
    }

    @Override
    public DataNormalization normalizer() {
        return normalizer;
    }

    @Override
    public String toString() {
        return name;
    }
}
