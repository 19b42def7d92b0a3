package io.distill4j.train;

import io.distill4j.loss.DistillationOutputLayer;
import io.distill4j.loss.DistillationTerm;
import io.distill4j.model.UNetFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Knowledge distillation as a plain Java object, in the shape of Keras' {@code Distiller(student, teacher)
 * .compile(...).fit(x)}: a frozen teacher, a student, a list of weighted {@link DistillationTerm}s, and
 * {@link #fit(DataSetIterator, int)} over any {@link DataSetIterator} of features and class ids. No run folder,
 * checkpoint or stop signal is involved (the run-based {@link Trainer} adds those).
 *
 * <pre>{@code
 * Distiller distiller = Distiller.builder()
 *         .teacher(teacherGraph).student(studentGraph)
 *         .terms(DistillationTerm.Kd.of(0.1, 4.0), DistillationTerm.Cwd.of(3, 4.0))
 *         .updater(new Adam(1e-3))
 *         .build();
 * Distiller.Result result = distiller.fit(trainIterator, 5);
 * ComputationGraph small = result.student();
 * }</pre>
 *
 * <p>The teacher is any {@code ComputationGraph} with a vertex named {@value UNetFactory#LOGITS}; the student needs
 * one too, and gets a {@link DistillationOutputLayer} named {@value UNetFactory#OUTPUT} on it when it has none. Feature
 * terms ({@code at}, {@code hint}, {@code cwd} on a level) need both networks to have the named levels
 * ({@link DistillationGraphs}). Labels are class ids ({@code [N, 1]} or {@code [N, 1, H, W]}); an id of
 * {@code DistillationLabels.UNLABELLED} marks an example without a label (teacher terms only).
 */
public final class Distiller {

    /** One epoch: mean total loss, hard-label cross-entropy and teacher terms, train accuracy, wall seconds. */
    public record Epoch(int epoch, double loss, double hardLoss, double teacherLoss, double trainAccuracy,
                        double seconds) {
    }

    /** The trained student (without training-only branches) and the per-epoch records. */
    public record Result(ComputationGraph student, List<Epoch> epochs, double teacherSeconds, long teacherCacheBytes) {
    }

    private final ComputationGraph teacher;
    private final ComputationGraph student;
    private final List<DistillationTerm> terms;
    private final boolean cacheTeacherOutputs;
    private final List<TrainingListener> listeners;
    private final long seed;

    private Distiller(Builder b) {
        this.teacher = Objects.requireNonNull(b.teacher, "teacher");
        this.terms = b.terms.isEmpty() ? List.of(DistillationTerm.Kd.of(0.1, 4.0)) : List.copyOf(b.terms);
        this.cacheTeacherOutputs = b.cacheTeacherOutputs;
        this.listeners = List.copyOf(b.listeners);
        this.seed = b.seed;
        if (teacher.getVertex(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException("the teacher has no vertex named \"" + UNetFactory.LOGITS + "\"");
        }
        this.student = withUpdater(withDistillationOutput(Objects.requireNonNull(b.student, "student")), b.updater);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains the student for {@code epochs} over {@code data}. With {@code cacheTeacherOutputs} the teacher runs once
     * over {@code data} (which must then yield the same examples every epoch, i.e. not augment) and each epoch
     * reshuffles the cached batches; otherwise the teacher labels every batch as it comes, seeing the same
     * (augmented) view as the student.
     */
    public Result fit(DataSetIterator data, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        DistillationGraphs.TrainingGraph training = DistillationGraphs.forTraining(student, teacher, terms);
        ComputationGraph graph = training.graph();
        List<DistillationGraphs.FeatureTap> taps = training.taps();
        TeacherLogits cache = null;
        if (cacheTeacherOutputs) {
            long available = org.bytedeco.javacpp.Pointer.maxBytes() - org.bytedeco.javacpp.Pointer.totalBytes();
            cache = TeacherLogits.cache(teacher, taps, data, 0, available / 2);
        }
        EpochMonitor monitor = new EpochMonitor(new StopSignal(), true);
        List<TrainingListener> all = new ArrayList<>(List.of(monitor));
        all.addAll(listeners);
        graph.setListeners(all.toArray(new TrainingListener[0]));
        int batchSize = data.batch() > 0 ? data.batch() : 32;
        List<Epoch> records = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            long start = System.nanoTime();
            monitor.startEpoch("distill " + (epoch + 1) + "/" + epochs, -1);
            try {
                if (!taps.isEmpty()) {
                    MultiDataSetIterator it = cache != null ? cache.multiEpoch(batchSize, seed + epoch)
                            : TeacherLogits.onTheFly(teacher, taps, reset(data));
                    graph.fit(it);
                } else {
                    graph.fit(cache != null ? cache.epoch(batchSize, seed + epoch)
                            : TeacherLogits.onTheFly(teacher, reset(data)));
                }
            } finally {
                monitor.endEpoch();
            }
            records.add(new Epoch(epoch + 1, monitor.meanLoss(), monitor.meanHardLoss(), monitor.meanSoftLoss(),
                    monitor.accuracy(), (System.nanoTime() - start) / 1e9));
        }
        ComputationGraph inference = DistillationGraphs.forInference(graph);
        return new Result(inference, List.copyOf(records), cache != null ? cache.seconds() : 0,
                cache != null ? cache.bytes() : 0);
    }

    private static DataSetIterator reset(DataSetIterator data) {
        if (data.resetSupported()) {
            data.reset();
        }
        return data;
    }

    /** The student with a {@link DistillationOutputLayer} named "output" on its logits. */
    private static ComputationGraph withDistillationOutput(ComputationGraph student) {
        if (student.getVertex(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException("the student has no vertex named \"" + UNetFactory.LOGITS
                    + "\" for the distillation loss to read");
        }
        GraphVertex output = student.getVertex(UNetFactory.OUTPUT);
        if (output != null && output.hasLayer()
                && output.getLayer().conf().getLayer() instanceof DistillationOutputLayer) {
            return student;
        }
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(student);
        for (String name : student.getConfiguration().getNetworkOutputs()) {
            if (!name.equals(UNetFactory.LOGITS)) {
                builder.removeVertexAndConnections(name);
            }
        }
        return builder.addLayer(UNetFactory.OUTPUT, new DistillationOutputLayer.Builder().build(), UNetFactory.LOGITS)
                .setOutputs(UNetFactory.OUTPUT).build();
    }

    private static ComputationGraph withUpdater(ComputationGraph student, IUpdater updater) {
        if (updater == null) {
            return student;
        }
        return new TransferLearning.GraphBuilder(student)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(updater).build()).build();
    }

    /** Configures a {@link Distiller}; teacher and student are required. */
    public static final class Builder {
        private ComputationGraph teacher;
        private ComputationGraph student;
        private final List<DistillationTerm> terms = new ArrayList<>();
        private IUpdater updater;
        private boolean cacheTeacherOutputs = true;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private long seed = 42;

        /** The trained, frozen teacher (only its inference pass is used). */
        public Builder teacher(ComputationGraph teacher) {
            this.teacher = teacher;
            return this;
        }

        /** The network to train; trained in place (its parameters change). */
        public Builder student(ComputationGraph student) {
            this.student = student;
            return this;
        }

        /** The objective's terms; default kd with alpha 0.1 and temperature 4. */
        public Builder terms(DistillationTerm... terms) {
            return terms(List.of(terms));
        }

        public Builder terms(List<? extends DistillationTerm> terms) {
            this.terms.clear();
            this.terms.addAll(terms);
            return this;
        }

        /** The student's optimiser; default: the one it was built with. */
        public Builder updater(IUpdater updater) {
            this.updater = updater;
            return this;
        }

        /** Run the teacher once and reuse its outputs every epoch (default true; false with augmentation). */
        public Builder cacheTeacherOutputs(boolean cache) {
            this.cacheTeacherOutputs = cache;
            return this;
        }

        /** Extra DL4J listeners on the student (e.g. {@code ScoreIterationListener}, a UI {@code StatsListener}). */
        public Builder listeners(TrainingListener... listeners) {
            this.listeners.addAll(List.of(listeners));
            return this;
        }

        /** Seed of the per-epoch shuffle of cached batches. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Distiller build() {
            return new Distiller(this);
        }
    }
}
