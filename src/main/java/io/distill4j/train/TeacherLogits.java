package io.distill4j.train;

import io.distill4j.loss.DistillationLabels;
import io.distill4j.model.Logits;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts a frozen teacher's logits into the labels a student trains on ({@link DistillationLabels}). The teacher runs
 * in inference mode only, so its parameters never change. Two ways:
 * <ul>
 *   <li>{@link #cache}: one teacher pass over the training split, reused every epoch (and by every sweep candidate).
 *       The teacher's forward pass costs about 16x the student's, so this is the fast way whenever the inputs do not
 *       change between epochs, i.e. without augmentation;</li>
 *   <li>{@link #onTheFly}: the teacher labels each batch as it comes, for augmented data.</li>
 * </ul>
 */
public final class TeacherLogits {

    /** Teacher forward passes (batches) made by this class, for tests and cost reports. */
    public static final AtomicLong FORWARD_BATCHES = new AtomicLong();

    private final DataSet all;
    private final double seconds;

    private TeacherLogits(DataSet all, double seconds) {
        this.all = all;
        this.seconds = seconds;
    }

    /** Runs the teacher once over every batch of {@code source} (which must not augment) and keeps the result. */
    public static TeacherLogits cache(ComputationGraph teacher, DataSetIterator source) {
        long start = System.nanoTime();
        List<DataSet> batches = new ArrayList<>();
        source.reset();
        while (source.hasNext()) {
            batches.add(label(teacher, source.next()));
        }
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("the training split is empty: nothing to distill");
        }
        return new TeacherLogits(DataSet.merge(batches), (System.nanoTime() - start) / 1e9);
    }

    /** Wall time the teacher pass took. */
    public double seconds() {
        return seconds;
    }

    /** Examples in the cache. */
    public int size() {
        return all.numExamples();
    }

    /** The cached examples in an order shuffled from {@code seed}, in batches of {@code batchSize}. */
    public DataSetIterator epoch(int batchSize, long seed) {
        DataSet copy = all.copy();
        copy.shuffle(seed);
        // ExistingDataSetIterator yields each batch as it is (ListDataSetIterator would merge batchSize of them)
        return new ExistingDataSetIterator(copy.batchBy(batchSize));
    }

    /** An iterator that labels each batch of {@code source} with the teacher's logits as it is read. */
    public static DataSetIterator onTheFly(ComputationGraph teacher, DataSetIterator source) {
        return new LabelingIterator(teacher, source);
    }

    static DataSet label(ComputationGraph teacher, DataSet batch) {
        FORWARD_BATCHES.incrementAndGet();
        return new DataSet(batch.getFeatures(),
                DistillationLabels.withTeacher(batch.getLabels(), Logits.of(teacher, batch.getFeatures())));
    }

    /** Delegates to a source iterator and replaces each batch's labels. */
    private static final class LabelingIterator implements DataSetIterator {
        private final ComputationGraph teacher;
        private final DataSetIterator source;

        LabelingIterator(ComputationGraph teacher, DataSetIterator source) {
            this.teacher = teacher;
            this.source = source;
        }

        @Override
        public DataSet next(int num) {
            return label(teacher, source.next(num));
        }

        @Override
        public DataSet next() {
            return label(teacher, source.next());
        }

        @Override
        public boolean hasNext() {
            return source.hasNext();
        }

        @Override
        public int inputColumns() {
            return source.inputColumns();
        }

        @Override
        public int totalOutcomes() {
            return source.totalOutcomes();
        }

        @Override
        public boolean resetSupported() {
            return source.resetSupported();
        }

        @Override
        public boolean asyncSupported() {
            return false;
        }

        @Override
        public void reset() {
            source.reset();
        }

        @Override
        public int batch() {
            return source.batch();
        }

        @Override
        public void setPreProcessor(org.nd4j.linalg.dataset.api.DataSetPreProcessor preProcessor) {
            throw new UnsupportedOperationException("set the pre-processor on the source iterator");
        }

        @Override
        public org.nd4j.linalg.dataset.api.DataSetPreProcessor getPreProcessor() {
            return source.getPreProcessor();
        }

        @Override
        public List<String> getLabels() {
            return source.getLabels();
        }
    }
}
