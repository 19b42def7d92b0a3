package io.distill4j.data;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.awt.Color;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset materialised once as 8-bit samples per split (synthetic sets, Fashion-MNIST, patches cut from image and
 * mask folders); its iterators are {@link SampleIterator}s.
 */
final class InMemoryDataset extends BaseDataset {

    private final Map<Split, Samples> splits;
    /** Each sample's source per split (read from files), or null for generated data. */
    private final Map<Split, List<String>> sampleNames;

    InMemoryDataset(String name, Task task, DatasetSpec spec, List<String> classNames, List<Color> classColors,
                    Map<Split, Samples> splits) {
        this(name, task, spec, classNames, classColors, splits, null);
    }

    /** @param sampleNames each sample's source, per split, as long as the split; null when generated */
    InMemoryDataset(String name, Task task, DatasetSpec spec, List<String> classNames, List<Color> classColors,
                    Map<Split, Samples> splits, Map<Split, List<String>> sampleNames) {
        super(name, task, spec, splits.get(Split.TRAIN).channels, splits.get(Split.TRAIN).height,
                splits.get(Split.TRAIN).width, classNames, classColors);
        this.splits = new EnumMap<>(splits);
        for (Split split : Split.values()) {
            if (!this.splits.containsKey(split)) {
                throw new IllegalArgumentException("no samples for split " + split);
            }
            if (sampleNames != null && sampleNames.get(split).size() != this.splits.get(split).size()) {
                throw new IllegalArgumentException(sampleNames.get(split).size() + " sample names for "
                        + this.splits.get(split).size() + " samples of split " + split);
            }
        }
        this.sampleNames = sampleNames == null ? null : new EnumMap<>(sampleNames);
        checkLabels();
    }

    /** Every label must be a class id; a generator or reader bug must not reach the loss layer as a bad index. */
    private void checkLabels() {
        int numClasses = numClasses();
        for (Map.Entry<Split, Samples> entry : splits.entrySet()) {
            for (byte[] label : entry.getValue().labels()) {
                for (byte id : label) {
                    if ((id & 0xFF) >= numClasses) {
                        throw new IllegalStateException(name() + ": label " + (id & 0xFF) + " in " + entry.getKey()
                                + " is not a class id below " + numClasses);
                    }
                }
            }
        }
    }

    @Override
    public DataSetIterator iterator(Split split, int batchSize, boolean shuffle) {
        return new SampleIterator(splits.get(split), batchSize, shuffle, augments(split), iteratorSeed(split),
                classNames(), normalizer());
    }

    @Override
    public Optional<String> sampleName(Split split, int index) {
        return sampleNames == null ? Optional.empty() : Optional.of(sampleNames.get(split).get(index));
    }

    @Override
    public int size(Split split) {
        return splits.get(split).size();
    }

    @Override
    void hashContent(Split split, Fingerprint hash) {
        Samples samples = splits.get(split);
        for (int i = 0; i < samples.size(); i++) {
            hash.add(samples.image(i)).add(samples.label(i));
        }
    }
}
