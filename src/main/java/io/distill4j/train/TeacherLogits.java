package io.distill4j.train;

import io.distill4j.util.Examples;
import io.distill4j.util.NativeArrays;
import io.distill4j.loss.DistillationLabels;
import io.distill4j.model.Logits;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.distill4j.util.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Puts a frozen teacher's logits into the labels a student trains on ({@link DistillationLabels}). The teacher runs
 * in inference mode only, so its parameters never change. Two ways:
 * <ul>
 *   <li>{@link #cache}: one teacher pass over the training split, reused every epoch (and by every sweep candidate).
 *       The teacher's forward pass costs about 16x the student's, so this is the fast way whenever the inputs do not
 *       change between epochs, i.e. without augmentation;</li>
 *   <li>{@link #onTheFly}: the teacher labels each batch as it comes, for augmented data.</li>
 * </ul>
 * Each way counts the teacher's forward passes (batches) in a counter its caller owns (a run's {@link Trainer}), so
 * costs are reported per run rather than through global state.
 */
public final class TeacherLogits {


    /** Logits only: the distillation labels of every example. */
    private final DataSet all;
    /** With feature taps: features, then the labels of every network output (logit labels first). */
    private final org.nd4j.linalg.dataset.api.MultiDataSet allMulti;
    private final double seconds;

    private TeacherLogits(DataSet all, org.nd4j.linalg.dataset.api.MultiDataSet allMulti, double seconds) {
        this.all = all;
        this.allMulti = allMulti;
        this.seconds = seconds;
    }

    /**
     * Runs the teacher once over every batch of {@code source} and keeps its logits and, for each tap, its tensor
     * (activation or attention map) at the tap's level, as the labels of a multi-output training graph
     * ({@link DistillationGraphs}).
     *
     * @param maxBytes refuse (before the pass) a cache whose estimated size exceeds this
     */
    public static TeacherLogits cache(ComputationGraph teacher, List<DistillationGraphs.FeatureTap> taps,
                                      DataSetIterator source, int examples, long maxBytes, LongAdder passes) {
        if (taps.isEmpty()) {
            return cache(teacher, source, examples, passes);
        }
        long start = System.nanoTime();
        List<org.nd4j.linalg.dataset.api.MultiDataSet> batches = new ArrayList<>();
        source.reset();
        try (Progress progress = progress(source, examples)) {
            while (source.hasNext()) {
                org.nd4j.linalg.dataset.api.MultiDataSet batch = label(teacher, taps, source.next(), passes);
                batches.add(batch);
                progress.step();
                long perExample = bytes(batch) / batch.getFeatures(0).size(0);
                // the whole cache, estimated from the first batch when the count is known, else what is held so far
                long estimate = examples > 0 ? perExample * examples : perExample * batches.size() * batch.getFeatures(0).size(0);
                if (batches.size() == 1 || examples <= 0) {
                    if (estimate > maxBytes) {
                        throw new IllegalArgumentException(String.format("the teacher tensors of %d training examples would"
                                + " take %.1f MiB, more than the %.1f MiB available for them: set"
                                + " distillation.cacheTeacherLogits=false to compute them on the fly (slower), or distil"
                                + " fewer or shallower levels", examples > 0 ? examples : batches.size() * batch.getFeatures(0).size(0),
                                estimate / 1048576.0, maxBytes / 1048576.0));
                    }
                }
            }
        }
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("the training split is empty: nothing to distill");
        }
        return new TeacherLogits(null, org.nd4j.linalg.dataset.MultiDataSet.merge(batches),
                (System.nanoTime() - start) / 1e9);
    }

    /** Memory the cached arrays take. */
    public long bytes() {
        if (all != null) {
            return all.getFeatures().length() * all.getFeatures().dataType().width()
                    + all.getLabels().length() * all.getLabels().dataType().width();
        }
        return bytes(allMulti);
    }

    private static long bytes(org.nd4j.linalg.dataset.api.MultiDataSet data) {
        long sum = 0;
        for (INDArray a : data.getFeatures()) {
            sum += a.length() * a.dataType().width();
        }
        for (INDArray a : data.getLabels()) {
            sum += a.length() * a.dataType().width();
        }
        return sum;
    }

    /**
     * The cached tensors as bytes (ND4J's own DataSet/MultiDataSet format), to ship them once to other machines (the
     * Spark executors of a sweep) instead of running the teacher there again.
     */
    public byte[] toBytes() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            out.write(all != null ? 0 : 1);
            java.io.DataOutputStream data = new java.io.DataOutputStream(out);
            data.writeDouble(seconds);
            data.flush();
            if (all != null) {
                all.save(out);
            } else {
                ((org.nd4j.linalg.dataset.MultiDataSet) allMulti).save(out);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The tensors {@link #toBytes} wrote. */
    public static TeacherLogits fromBytes(byte[] bytes) {
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
        try {
            int kind = in.read();
            double seconds = new java.io.DataInputStream(in).readDouble();
            if (kind == 0) {
                DataSet all = new DataSet();
                all.load(in);
                return new TeacherLogits(all, null, seconds);
            }
            org.nd4j.linalg.dataset.MultiDataSet multi = new org.nd4j.linalg.dataset.MultiDataSet();
            multi.load(in);
            return new TeacherLogits(null, multi, seconds);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether this cache holds feature-tap tensors (then only {@link #multiEpoch} applies). */
    public boolean hasTaps() {
        return allMulti != null;
    }

    /** The cached examples with their teacher tensors, shuffled from {@code seed}, in batches. */
    public MultiDataSetIterator multiEpoch(int batchSize, long seed) {
        if (allMulti == null) {
            throw new IllegalStateException("this cache holds logits only: use epoch()");
        }
        int n = (int) allMulti.getFeatures(0).size(0);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new java.util.Random(seed));
        List<org.nd4j.linalg.dataset.api.MultiDataSet> batches = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            int[] rows = order.subList(from, Math.min(n, from + batchSize)).stream().mapToInt(Integer::intValue)
                    .toArray();
            INDArray[] features = new INDArray[allMulti.numFeatureArrays()];
            for (int i = 0; i < features.length; i++) {
                features[i] = Examples.select(allMulti.getFeatures(i), rows);
            }
            INDArray[] labels = new INDArray[allMulti.numLabelsArrays()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = Examples.select(allMulti.getLabels(i), rows);
            }
            batches.add(new org.nd4j.linalg.dataset.MultiDataSet(features, labels));
        }
        return new ListIterator(batches);
    }

    /** The given batches as they are, resettable (DL4J's list iterators re-batch or cannot reset). */
    private static final class ListIterator implements MultiDataSetIterator {
        private final List<org.nd4j.linalg.dataset.api.MultiDataSet> batches;
        private int next;

        ListIterator(List<org.nd4j.linalg.dataset.api.MultiDataSet> batches) {
            this.batches = batches;
        }

        @Override
        public org.nd4j.linalg.dataset.api.MultiDataSet next(int num) {
            return next();
        }

        @Override
        public org.nd4j.linalg.dataset.api.MultiDataSet next() {
            return batches.get(next++);
        }

        @Override
        public boolean hasNext() {
            return next < batches.size();
        }

        @Override
        public void setPreProcessor(org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor preProcessor) {
            throw new UnsupportedOperationException("cached teacher tensors are already pre-processed");
        }

        @Override
        public org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor getPreProcessor() {
            return null;
        }

        @Override
        public boolean resetSupported() {
            return true;
        }

        @Override
        public boolean asyncSupported() {
            return false;
        }

        @Override
        public void reset() {
            next = 0;
        }
    }


    /** Runs the teacher once over every batch of {@code source} (which must not augment) and keeps the result. */
    public static TeacherLogits cache(ComputationGraph teacher, DataSetIterator source, LongAdder passes) {
        return cache(teacher, source, 0, passes);
    }

    private static TeacherLogits cache(ComputationGraph teacher, DataSetIterator source, int examples,
                                       LongAdder passes) {
        long start = System.nanoTime();
        List<DataSet> batches = new ArrayList<>();
        source.reset();
        try (Progress progress = progress(source, examples)) {
            while (source.hasNext()) {
                batches.add(label(teacher, source.next(), passes));
                progress.step();
            }
        }
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("the training split is empty: nothing to distill");
        }
        return new TeacherLogits(DataSet.merge(batches), null, (System.nanoTime() - start) / 1e9);
    }

    /** The teacher pass's progress bar: batches of {@code examples} (unknown when 0). */
    private static Progress progress(DataSetIterator source, int examples) {
        int batch = source.batch();
        return Progress.start("teacher logits", examples > 0 && batch > 0 ? (examples + batch - 1) / batch : -1);
    }

    /** Wall time the teacher pass took. */
    public double seconds() {
        return seconds;
    }

    /** Examples in the cache. */
    public int size() {
        return all != null ? all.numExamples() : (int) allMulti.getFeatures(0).size(0);
    }

    /** The cached examples in an order shuffled from {@code seed}, in batches of {@code batchSize}. */
    public DataSetIterator epoch(int batchSize, long seed) {
        if (all == null) {
            throw new IllegalStateException("this cache holds feature-tap tensors: use multiEpoch()");
        }
        DataSet copy = all.copy();
        copy.shuffle(seed);
        // ExistingDataSetIterator yields each batch as it is (ListDataSetIterator would merge batchSize of them)
        return new ExistingDataSetIterator(copy.batchBy(batchSize));
    }

    /** An iterator that labels each batch of {@code source} with the teacher's logits as it is read. */
    public static DataSetIterator onTheFly(ComputationGraph teacher, DataSetIterator source, LongAdder passes) {
        return new LabelingIterator(teacher, source, passes);
    }

    /** An iterator that labels each batch of {@code source} with the teacher's logits and tap tensors as it is read. */
    public static MultiDataSetIterator onTheFly(ComputationGraph teacher, List<DistillationGraphs.FeatureTap> taps,
                                                DataSetIterator source, LongAdder passes) {
        return new MultiDataSetIterator() {
            @Override
            public org.nd4j.linalg.dataset.api.MultiDataSet next(int num) {
                return label(teacher, taps, source.next(num), passes);
            }

            @Override
            public org.nd4j.linalg.dataset.api.MultiDataSet next() {
                return label(teacher, taps, source.next(), passes);
            }

            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public void setPreProcessor(org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor preProcessor) {
                throw new UnsupportedOperationException("set the pre-processor on the source iterator");
            }

            @Override
            public org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor getPreProcessor() {
                return null;
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
        };
    }

    /** One teacher pass: labels for the logit output, then each tap's tensor, for a batch. */
    static org.nd4j.linalg.dataset.api.MultiDataSet label(ComputationGraph teacher,
                                                          List<DistillationGraphs.FeatureTap> taps, DataSet batch,
                                                          LongAdder passes) {
        passes.increment();
        // each vertex once: DL4J's output() gives null for a name asked twice (two terms on one level)
        List<String> vertices = new ArrayList<>(new java.util.LinkedHashSet<>(
                java.util.stream.Stream.concat(java.util.stream.Stream.of(io.distill4j.model.UNetFactory.LOGITS),
                        taps.stream().map(DistillationGraphs.FeatureTap::teacherVertex)).toList()));
        INDArray[] out = teacher.output(vertices, false, new INDArray[]{batch.getFeatures()}, null);
        INDArray[] labels = new INDArray[1 + taps.size()];
        labels[0] = DistillationLabels.withTeacher(batch.getLabels(), out[0]);
        for (int i = 0; i < taps.size(); i++) {
            DistillationGraphs.FeatureTap tap = taps.get(i);
            INDArray activation = out[vertices.indexOf(tap.teacherVertex())];
            labels[1 + i] = tap.attention() ? io.distill4j.loss.AttentionMaps.of(activation, tap.attentionP())
                    : activation;
        }
        // the outputs no label holds (the logits copied into the labels, activations made into attention maps) are
        // freed now; an attention map and a hint on one level share the activation, which the hint's label holds
        for (INDArray output : out) {
            if (java.util.Arrays.stream(labels).noneMatch(label -> label == output)) {
                NativeArrays.release(output);
            }
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{batch.getFeatures()}, labels);
    }

    static DataSet label(ComputationGraph teacher, DataSet batch, LongAdder passes) {
        passes.increment();
        return new DataSet(batch.getFeatures(),
                Logits.distillationLabels(teacher, batch.getFeatures(), batch.getLabels()));
    }

    /** Delegates to a source iterator and replaces each batch's labels. */
    private static final class LabelingIterator implements DataSetIterator {
        private final ComputationGraph teacher;
        private final DataSetIterator source;
        private final LongAdder passes;

        LabelingIterator(ComputationGraph teacher, DataSetIterator source, LongAdder passes) {
            this.teacher = teacher;
            this.source = source;
            this.passes = passes;
        }

        @Override
        public DataSet next(int num) {
            return label(teacher, source.next(num), passes);
        }

        @Override
        public DataSet next() {
            return label(teacher, source.next(), passes);
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
