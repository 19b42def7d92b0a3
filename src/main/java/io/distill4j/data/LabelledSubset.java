package io.distill4j.data;

import io.distill4j.util.Examples;
import io.distill4j.loss.DistillationLabels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;

/**
 * Label-scarce data (Hinton 2015's transfer set; {@code data.labelled}): only {@code labelled} training examples keep
 * their labels. {@link #iterator} over {@link Split#TRAIN} yields those alone (the teacher and a scratch student see
 * nothing else); {@link #distillationIterator} yields every training example, the others with their class ids set to
 * {@link DistillationLabels#UNLABELLED}, so they count in the teacher terms only. Validation and test are untouched.
 *
 * <p>The labelled examples are drawn from the seed, stratified by class for classification (as even a share of
 * every class as the count allows). The training split is held in memory as float tensors.
 */
public final class LabelledSubset implements Dataset {

    private final Dataset source;
    private final int labelled;
    private final DataSet labelledSet;
    private final DataSet transferSet;
    private final long seed;

    private LabelledSubset(Dataset source, int labelled, DataSet labelledSet, DataSet transferSet, long seed) {
        this.source = source;
        this.labelled = labelled;
        this.labelledSet = labelledSet;
        this.transferSet = transferSet;
        this.seed = seed;
    }

    /**
     * @throws IllegalArgumentException when {@code labelled} is not in [1, training examples] or the data augments
     */
    public static LabelledSubset of(Dataset source, int labelled, long seed) {
        int train = source.size(Split.TRAIN);
        if (labelled < 1 || labelled > train) {
            throw new IllegalArgumentException("data.labelled = " + labelled + " is invalid: expected 1.."
                    + train + " (the training split of " + source.name() + " has " + train + " examples)");
        }
        if (source.spec().augmentOrDefault()) {
            throw new IllegalArgumentException("data.labelled with data.augment = true is not supported: the transfer"
                    + " set is held unaugmented in memory; set data.augment=false");
        }
        List<DataSet> batches = new ArrayList<>();
        DataSetIterator it = source.iterator(Split.TRAIN, 256, false);
        while (it.hasNext()) {
            batches.add(it.next());
        }
        DataSet all = DataSet.merge(batches);
        int[] chosen = choose(all.getLabels(), source.task(), labelled, seed);
        boolean[] keep = new boolean[train];
        for (int i : chosen) {
            keep[i] = true;
        }
        INDArray transferLabels = all.getLabels().dup();
        for (int i = 0; i < train; i++) {
            if (!keep[i]) {
                transferLabels.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(DistillationLabels.UNLABELLED);
            }
        }
        DataSet labelledSet = new DataSet(Examples.select(all.getFeatures(), chosen),
                Examples.select(all.getLabels(), chosen));
        return new LabelledSubset(source, labelled, labelledSet, new DataSet(all.getFeatures(), transferLabels), seed);
    }

    /** {@code count} example indices from the seed; stratified round-robin over classes for classification. */
    static int[] choose(INDArray labels, Task task, int count, long seed) {
        int n = (int) labels.size(0);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 0x2545F4914F6CDD1DL + 7));
        if (task != Task.CLASSIFICATION) {
            return order.subList(0, count).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i : order) {
            byClass.computeIfAbsent((int) labels.getDouble(i, 0), k -> new ArrayList<>()).add(i);
        }
        List<Integer> chosen = new ArrayList<>();
        for (int round = 0; chosen.size() < count; round++) {
            for (List<Integer> members : byClass.values()) {
                if (round < members.size() && chosen.size() < count) {
                    chosen.add(members.get(round));
                }
            }
        }
        return chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
    }


    /** Training examples that keep their labels. */
    public int labelled() {
        return labelled;
    }

    @Override
    public DataSetIterator iterator(Split split, int batchSize, boolean shuffle) {
        return split == Split.TRAIN ? new InMemoryIterator(labelledSet, batchSize, shuffle, seed * 31 + 1, this)
                : source.iterator(split, batchSize, shuffle);
    }

    @Override
    public DataSetIterator distillationIterator(int batchSize, boolean shuffle) {
        return new InMemoryIterator(transferSet, batchSize, shuffle, seed * 31 + 1, this);
    }

    /** The source's names for validation and test; training examples are drawn anew, so they have none. */
    @Override
    public java.util.Optional<String> sampleName(Split split, int index) {
        return split == Split.TRAIN ? java.util.Optional.empty() : source.sampleName(split, index);
    }

    @Override
    public int size(Split split) {
        return split == Split.TRAIN ? labelled : source.size(split);
    }

    @Override
    public int distillationSize() {
        return transferSet.numExamples();
    }

    @Override
    public String name() {
        return source.name() + ", " + labelled + " of " + transferSet.numExamples() + " training examples labelled";
    }

    @Override
    public Task task() {
        return source.task();
    }

    @Override
    public DatasetSpec spec() {
        return source.spec();
    }

    @Override
    public int channels() {
        return source.channels();
    }

    @Override
    public int height() {
        return source.height();
    }

    @Override
    public int width() {
        return source.width();
    }

    @Override
    public int numClasses() {
        return source.numClasses();
    }

    @Override
    public List<String> classNames() {
        return source.classNames();
    }

    @Override
    public List<Color> classColors() {
        return source.classColors();
    }

    @Override
    public OptionalInt ignoreIndex() {
        return source.ignoreIndex();
    }

    @Override
    public String fingerprint() {
        return source.fingerprint();
    }

    @Override
    public DataNormalization normalizer() {
        return source.normalizer();
    }

    /** Batches of an in-memory, already scaled data set, reshuffled per epoch from the seed. */
    private static final class InMemoryIterator extends EpochIterator {
        private final DataSet data;

        InMemoryIterator(DataSet data, int batchSize, boolean shuffle, long seed, Dataset owner) {
            super(data.numExamples(), owner.channels(), owner.height(), owner.width(), batchSize, shuffle, false, seed,
                    owner.classNames(), null);
            this.data = data;
        }

        @Override
        DataSet load(int[] order, int from, int count) {
            int[] rows = java.util.Arrays.copyOfRange(order, from, from + count);
            return new DataSet(Examples.select(data.getFeatures(), rows), Examples.select(data.getLabels(), rows));
        }
    }
}
