package io.distill4j.train;

import com.fasterxml.jackson.core.type.TypeReference;
import io.distill4j.config.RunConfig;
import io.distill4j.data.Dataset;
import io.distill4j.data.Split;
import io.distill4j.data.Task;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.Metrics;
import io.distill4j.loss.DistillationLoss;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.util.Json;
import org.deeplearning4j.datasets.iterator.EarlyTerminationDataSetIterator;
import org.deeplearning4j.earlystopping.termination.ScoreImprovementEpochTerminationCondition;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains one network of a run on a dataset with DL4J's {@code ComputationGraph.fit}, one epoch at a time: a teacher or
 * a student from hard labels, or a student from a frozen teacher's logits. After each epoch it validates, records an
 * {@link EpochRecord}, keeps the best model (by validation mean IoU or accuracy) and writes a checkpoint, all
 * atomically, so {@code resume} continues an interrupted run at the first unfinished epoch. Early stopping uses DL4J's
 * {@link ScoreImprovementEpochTerminationCondition}.
 *
 * <p>Files in the run folder, per model name: {@code <name>.zip} (best model, with provenance and config inside),
 * {@code checkpoints/<name>.zip} (latest state with updater), {@code checkpoints/<name>.history.json}.
 */
public final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final RunConfig config;
    private final Dataset data;
    private final RunFolder folder;
    private final StopSignal stop;
    private final Map<String, String> modelEntries;
    private final Metrics metrics;
    /** Teacher tensors per teacher and taps, computed once and reused by every student this trainer distills. */
    private final Map<TeacherKey, TeacherLogits> teacherLogits;
    /** Teacher forward passes of this run, shared by its trainer variants (as the cache is). */
    private final java.util.concurrent.atomic.LongAdder teacherPasses;
    /** Listeners that record each trained model (model name, distilled?), e.g. the training UI's statistics. */
    private java.util.function.BiFunction<String, Boolean, List<TrainingListener>> recorders = (name, d) -> List.of();
    /** Fits the epochs elsewhere (a Spark cluster); null = here. */
    private EpochFitter fitter;

    /** A teacher (by identity) and the feature taps its cache holds. */
    private record TeacherKey(ComputationGraph graph, List<DistillationGraphs.FeatureTap> taps) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TeacherKey k && k.graph == graph && k.taps.equals(taps);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(graph) * 31 + taps.hashCode();
        }
    }

    /**
     * @param modelEntries text files stored inside every saved model zip (provenance, config)
     */
    public Trainer(RunConfig config, Dataset data, RunFolder folder, StopSignal stop, Map<String, String> modelEntries) {
        this.config = config;
        this.data = data;
        this.folder = folder;
        this.stop = stop;
        this.modelEntries = modelEntries;
        this.metrics = metricsFor(data);
        this.teacherLogits = new java.util.concurrent.ConcurrentHashMap<>();
        this.teacherPasses = new java.util.concurrent.atomic.LongAdder();
    }

    private Trainer(Trainer base, RunConfig config) {
        this.config = config;
        this.data = base.data;
        this.folder = base.folder;
        this.stop = base.stop;
        this.modelEntries = base.modelEntries;
        this.metrics = base.metrics;
        this.teacherLogits = base.teacherLogits;
        this.teacherPasses = base.teacherPasses;
        this.recorders = base.recorders;
        this.fitter = base.fitter;
    }

    /** The teacher's forward passes (batches) this run's trainers made so far: cached passes and on-the-fly ones. */
    public long teacherForwardBatches() {
        return teacherPasses.sum();
    }

    /**
     * A trainer for the same data and run folder under another config (another seed or distillation objective, as
     * the experiment's runs are), sharing the teacher tensors computed so far.
     */
    public Trainer withConfig(RunConfig other) {
        return new Trainer(this, other);
    }

    /** The config this trainer trains with. */
    public RunConfig config() {
        return config;
    }

    /** Adds listeners to every model this trainer trains from now on (after its own and the caller's). */
    public void recordWith(java.util.function.BiFunction<String, Boolean, List<TrainingListener>> recorders) {
        this.recorders = recorders;
    }

    /** Fits every epoch this trainer trains from now on through {@code fitter} (a Spark cluster). */
    public void fitWith(EpochFitter fitter) {
        this.fitter = fitter;
        if (fitter != null) {
            log.info("epochs fitted by {}", fitter.describe());
        }
    }

    public static Metrics metricsFor(Dataset data) {
        return new Metrics(data.task(), data.numClasses(), data.classNames(),
                data.ignoreIndex().isPresent() ? data.ignoreIndex().getAsInt() : null);
    }

    /**
     * The network spec for a config section on this dataset (for a ResNet section: its input, classes, seed,
     * optimizer and loss, with the stage widths as filters).
     */
    public static UNetSpec spec(RunConfig config, RunConfig.NetworkConfig network, Dataset data, boolean distilled) {
        UNetSpec spec = UNetSpec.of(network.resnet != null ? network.resnet.stageWidths() : network.filters,
                data.task(), data.channels(), data.numClasses(), data.height(), data.width());
        if (network.encoderDropout != null || network.decoderDropout != null) {
            spec = spec.withDropout(network.encoderDropout != null ? network.encoderDropout : spec.encoderDropout(),
                    network.decoderDropout != null ? network.decoderDropout : spec.decoderDropout());
        }
        Integer ignore = data.ignoreIndex().isPresent() ? data.ignoreIndex().getAsInt() : null;
        org.nd4j.linalg.api.buffer.DataType type = config.training.dtype.dataType();
        if (type == org.nd4j.linalg.api.buffer.DataType.BFLOAT16) {
            // DL4J M2.1 networks train in DOUBLE, FLOAT or HALF only (its configuration check says so)
            throw new IllegalArgumentException("training.dtype bfloat16: DL4J 1.0.0-M2.1 cannot train bfloat16"
                    + " networks; train in float32 or float16, then `quantize --mode bfloat16` for a bfloat16 model");
        }
        IUpdater updater = updater(config.optimizer);
        if (type == org.nd4j.linalg.api.buffer.DataType.HALF && updater instanceof Adam adam) {
            // Adam's default epsilon 1e-8 is 0 in float16 (smallest subnormal ~6e-8): zero second moments then give
            // 0/0 = NaN at the second batch. 1e-4 is the usual float16 choice.
            updater = new Adam(adam.getLearningRate(), adam.getBeta1(), adam.getBeta2(), 1e-4);
        }
        return spec.withSeed(config.seed).withUpdater(updater)
                .withLoss(distilled ? config.distillation.alpha : 1.0, config.distillation.temperature, ignore)
                .withDataType(type);
    }

    /**
     * Builds a config section's network from its spec: a ResNet ({@code resnet}), a generalised U-Net
     * ({@code architecture}) or the U-Net of the filter list. The one place a config becomes a network.
     */
    public static ComputationGraph build(UNetSpec spec, RunConfig.NetworkConfig network) {
        if (network.resnet != null) {
            return io.distill4j.model.ResNetFactory.build(spec, network.resnet);
        }
        return network.architecture != null ? UNetFactory.build(spec, network.architecture) : UNetFactory.build(spec);
    }

    /** A short description of a config section's network, for reports: the ResNet's, or the U-Net's filters. */
    public static String describe(RunConfig.NetworkConfig network) {
        if (network.resnet != null) {
            return network.resnet.describe();
        }
        return network.architecture != null ? "U-Net " + network.architecture.describe() : "U-Net " + network.filters;
    }

    /** The DL4J updater a config's optimizer section names. */
    public static IUpdater updater(RunConfig.OptimizerConfig optimizer) {
        return switch (optimizer.type) {
            case ADAM -> new Adam(optimizer.learningRate);
            case SGD -> new Sgd(optimizer.learningRate);
            case NESTEROVS -> new Nesterovs(optimizer.learningRate, optimizer.momentum);
        };
    }

    /**
     * Trains (or resumes) the model {@code name}.
     *
     * @param teacher a frozen teacher to distill from, or null to train on hard labels
     * @param resume  continue from this run folder's checkpoint of {@code name} if there is one
     */
    public TrainedModel train(String name, UNetSpec spec, ComputationGraph teacher, int epochs, boolean resume) {
        return train(name, () -> UNetFactory.build(spec), teacher, epochs, resume, List.of());
    }

    /**
     * Trains (or resumes) the model {@code name} starting from the network {@code initial} supplies (a new one, or a
     * loaded model to fine-tune; not called when resuming), with extra DL4J listeners that run after this trainer's
     * own on every iteration (e.g. to re-apply a pruning mask after each update).
     */
    public TrainedModel train(String name, java.util.function.Supplier<ComputationGraph> initial,
                              ComputationGraph teacher, int epochs, boolean resume, List<TrainingListener> listeners) {
        Path checkpoint = folder.resolve("checkpoints/" + name + ".zip");
        Path historyFile = folder.resolve("checkpoints/" + name + ".history.json");
        Path bestFile = folder.resolve(name + ".zip");
        List<EpochRecord> history = new ArrayList<>();
        ComputationGraph graph;
        if (resume && Files.isRegularFile(checkpoint)) {
            graph = ModelFiles.load(checkpoint);
            CheckpointState state = readState(historyFile);
            history.addAll(state.history());
            if (state.finished() && (state.stoppedEarly() || history.size() >= epochs)) {
                log.info("{}: already finished in {} ({} epochs)", name, folder.dir(), history.size());
                return finish(name, bestFile, history, state.stoppedEarly());
            }
            log.info("{}: resuming at epoch {} of {}", name, history.size() + 1, epochs);
        } else {
            graph = initial.get();
        }

        ScoreImprovementEpochTerminationCondition earlyStop = null;
        if (config.training.earlyStopping.patience > 0) {
            earlyStop = new ScoreImprovementEpochTerminationCondition(config.training.earlyStopping.patience,
                    config.training.earlyStopping.minDelta);
            earlyStop.initialize();
            for (EpochRecord r : history) {
                earlyStop.terminate(r.epoch() - 1, r.validationScore(), false);
            }
        }
        double bestScore = history.stream().mapToDouble(EpochRecord::validationScore).max().orElse(Double.NEGATIVE_INFINITY);

        int batchSize = config.training.batchSize;
        boolean augmented = Boolean.TRUE.equals(data.spec().augment);
        List<DistillationGraphs.FeatureTap> taps = List.of();
        if (teacher != null) {
            // a checkpoint keeps the training-only branches; rebuilt here, their 1×1 adapters start afresh
            // the config's terms, or (none given) the kd term the student's output layer was built with
            ComputationGraph student = DistillationGraphs.forInference(graph);
            List<io.distill4j.loss.DistillationTerm> terms = config.distillation.terms != null
                    && !config.distillation.terms.isEmpty() ? config.distillation.terms
                    : DistillationGraphs.outputLayer(student).terms();
            DistillationGraphs.TrainingGraph training = DistillationGraphs.forTraining(student, teacher, terms);
            graph = training.graph();
            taps = training.taps();
        }
        TeacherLogits cache = null;
        DataSetIterator trainIterator = null;
        org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator multiIterator = null;
        if (teacher != null && config.distillation.cacheTeacherLogits && !augmented) {
            cache = teacherLogits(teacher, taps);
        } else {
            trainIterator = teacher != null ? data.distillationIterator(batchSize, true)
                    : data.iterator(Split.TRAIN, batchSize, true);
            if (teacher != null && !taps.isEmpty()) {
                // function matching: the teacher sees exactly the (augmented) batch the student sees
                multiIterator = TeacherLogits.onTheFly(teacher, taps, trainIterator, teacherPasses);
            } else if (teacher != null) {
                trainIterator = TeacherLogits.onTheFly(teacher, trainIterator, teacherPasses);
            }
        }
        int trainExamples = teacher != null ? data.distillationSize() : data.size(Split.TRAIN);
        int batchesPerEpoch = (trainExamples + batchSize - 1) / batchSize;
        if (config.training.maxBatches > 0) {
            batchesPerEpoch = Math.min(batchesPerEpoch, config.training.maxBatches);
        }

        EpochMonitor monitor = new EpochMonitor(stop, teacher != null);
        List<TrainingListener> all = new ArrayList<>();
        all.add(monitor);
        all.addAll(listeners);
        all.addAll(recorders.apply(name, teacher != null));
        graph.setListeners(all.toArray(new TrainingListener[0]));
        boolean stoppedEarly = false;
        for (int epoch = history.size(); epoch < epochs; epoch++) {
            long epochSeed = config.seed * 1_000_003L + epoch;
            boolean multi = !taps.isEmpty();
            DataSetIterator iterator = multi ? null : cache != null ? cache.epoch(batchSize, epochSeed) : trainIterator;
            org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator multiEpoch = !multi ? null
                    : cache != null ? cache.multiEpoch(batchSize, epochSeed) : multiIterator;
            if (config.training.maxBatches > 0) {
                // an epoch cut short leaves the shared iterator part-way; DL4J's fit resets only an exhausted one, so
                // without this the next epoch would train on the leftover batches only
                if (multi && multiEpoch.resetSupported()) {
                    multiEpoch.reset();
                } else if (!multi && iterator.resetSupported()) {
                    iterator.reset();
                }
                if (multi) {
                    multiEpoch = new org.deeplearning4j.datasets.iterator.EarlyTerminationMultiDataSetIterator(
                            multiEpoch, config.training.maxBatches);
                } else {
                    iterator = new EarlyTerminationDataSetIterator(iterator, config.training.maxBatches);
                }
            }
            long start = System.nanoTime();
            monitor.startEpoch(name + " " + (epoch + 1) + "/" + epochs, batchesPerEpoch);
            try {
                if (fitter != null) {
                    monitor.epochScore(fitter.fit(graph, multi ? null : iterator, multi ? multiEpoch : null));
                } else if (config.training.workers > 1) {
                    fitParallel(graph, monitor, all, iterator, multiEpoch);
                } else if (multi) {
                    graph.fit(multiEpoch);
                } else {
                    graph.fit(iterator);
                }
            } catch (StopSignal.StopRequested e) {
                ModelFiles.save(graph, checkpoint, data.normalizer(), modelEntries);
                writeState(historyFile, new CheckpointState(history, false, false));
                throw new RunInterruptedException(name + " stopped during epoch " + (epoch + 1) + "; checkpoint saved to "
                        + checkpoint + ". Resume with `" + RunCommand.resumeLine(folder.dir()) + "`"
                        + " (the interrupted epoch restarts from its beginning)");
            } catch (NonFiniteLossException e) {
                throw new NonFiniteLossException(e.getMessage() + ". The last good checkpoint is "
                        + (Files.exists(checkpoint) ? checkpoint : "(none: it failed in the first epoch)"));
            } finally {
                monitor.endEpoch();
            }
            ComputationGraph inference = DistillationGraphs.forInference(graph);
            Validation validation = validate(inference);
            EpochRecord record = new EpochRecord(epoch + 1, monitor.meanLoss(), monitor.meanHardLoss(),
                    monitor.meanSoftLoss(), monitor.accuracy(), validation.loss(), validation.result().accuracy(),
                    data.task() == Task.SEGMENTATION ? validation.result().meanIoU() : Double.NaN,
                    validation.result().mainScore(), (System.nanoTime() - start) / 1e9);
            history.add(record);
            if (record.validationScore() > bestScore || !Files.exists(bestFile)) {
                bestScore = Math.max(bestScore, record.validationScore());
                ModelFiles.save(inference, bestFile, data.normalizer(), modelEntries);
            }
            if (inference != graph) {
                inference.close();
            }
            ModelFiles.save(graph, checkpoint, data.normalizer(), modelEntries);
            writeState(historyFile, new CheckpointState(history, false, false));
            log.info("{} epoch {}/{}: loss {} (hard {}, soft {}), train acc {}, val loss {}, val {} {} ({} s)", name,
                    epoch + 1, epochs, f(record.trainLoss()), f(record.trainHardLoss()), f(record.trainSoftLoss()),
                    f(record.trainAccuracy()), f(record.validationLoss()), validation.result().mainMetricName(),
                    f(record.validationScore()), String.format("%.1f", record.seconds()));
            if (earlyStop != null && earlyStop.terminate(epoch, record.validationScore(), false)) {
                log.info("{}: early stop after epoch {}: no improvement of {} for {} epochs", name, epoch + 1,
                        config.training.earlyStopping.minDelta, config.training.earlyStopping.patience);
                stoppedEarly = true;
                break;
            }
        }
        writeState(historyFile, new CheckpointState(history, true, stoppedEarly));
        // the returned model is the best epoch's, read back from disk; free this one's native memory now rather
        // than whenever the garbage collector gets to it (a sweep trains many networks in one JVM)
        graph.close();
        return finish(name, bestFile, history, stoppedEarly);
    }

    /**
     * One epoch through DL4J's {@link ParallelWrapper}: {@code training.workers} replicas of {@code graph} (the first
     * is {@code graph} itself), each fed its own batches, parameters and updater state averaged after every step, so
     * {@code graph} holds the averaged model afterwards. The listeners run on every replica.
     */
    private void fitParallel(ComputationGraph graph, EpochMonitor monitor, List<TrainingListener> listeners,
                             DataSetIterator iterator,
                             org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator multi) {
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(graph)
                .workers(config.training.workers)
                .prefetchBuffer(2)
                .averagingFrequency(1)
                .averageUpdaters(true)
                .trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
                .build();
        try {
            wrapper.setListeners(listeners);
            monitor.onWorkerThreads(wrapper::stopFit);
            if (multi != null) {
                wrapper.fit(multi);
            } else {
                wrapper.fit(iterator);
            }
        } finally {
            wrapper.shutdown();
        }
        monitor.rethrow();
    }

    /** The teacher's logits for the training split, computed on first use and then reused. */
    public TeacherLogits teacherLogits(ComputationGraph teacher) {
        return teacherLogits(teacher, List.of());
    }

    /**
     * The teacher's logits and tap tensors for the distillation examples (the training split, or the transfer set),
     * computed on first use and then reused. Refused before the pass when they would not fit in half the memory
     * ND4J may still allocate.
     */
    public TeacherLogits teacherLogits(ComputationGraph teacher, List<DistillationGraphs.FeatureTap> taps) {
        return teacherLogits.computeIfAbsent(new TeacherKey(teacher, taps), k -> {
            long available = org.bytedeco.javacpp.Pointer.maxBytes() - org.bytedeco.javacpp.Pointer.totalBytes();
            TeacherLogits cache = TeacherLogits.cache(teacher, taps,
                    data.distillationIterator(config.training.batchSize, false), data.distillationSize(),
                    available / 2, teacherPasses);
            log.info("teacher tensors for {} training samples computed once in {} s ({} MiB)", cache.size(),
                    String.format("%.1f", cache.seconds()), String.format("%.1f", cache.bytes() / 1048576.0));
            return cache;
        });
    }

    /** The dataset this trainer trains on. */
    public Dataset data() {
        return data;
    }

    /** The text entries stored in every model zip this trainer saves (provenance, config, model info). */
    public Map<String, String> modelEntries() {
        return modelEntries;
    }

    /** The run folder's path of a model's best zip, its checkpoint and its history. */
    public record ModelFilesOf(Path best, Path checkpoint, Path history) {
    }

    /** Where this trainer keeps the model {@code name}. */
    public ModelFilesOf filesOf(String name) {
        return new ModelFilesOf(folder.resolve(name + ".zip"), folder.resolve("checkpoints/" + name + ".zip"),
                folder.resolve("checkpoints/" + name + ".history.json"));
    }

    /** Whether the model {@code name} finished in this run folder (what {@code train(..., resume)} would return). */
    public boolean finished(String name, int epochs) {
        ModelFilesOf files = filesOf(name);
        if (!Files.isRegularFile(files.checkpoint()) || !Files.isRegularFile(files.history())) {
            return false;
        }
        CheckpointState state = readState(files.history());
        return state.finished() && (state.stoppedEarly() || state.history().size() >= epochs);
    }

    /**
     * The feature taps a student distilled from {@code teacher} under this trainer's terms needs (none for logits
     * alone): the key of the teacher tensors it trains on.
     */
    public List<DistillationGraphs.FeatureTap> tapsFor(ComputationGraph student, ComputationGraph teacher) {
        List<io.distill4j.loss.DistillationTerm> terms = config.distillation.terms != null
                && !config.distillation.terms.isEmpty() ? config.distillation.terms
                : DistillationGraphs.outputLayer(student).terms();
        DistillationGraphs.TrainingGraph training = DistillationGraphs.forTraining(student, teacher, terms);
        List<DistillationGraphs.FeatureTap> taps = training.taps();
        training.graph().close();
        return taps;
    }

    /**
     * Makes {@code tensors} this trainer's teacher tensors for {@code teacher} and {@code taps}, as if it had computed
     * them (a Spark executor gets them from the driver).
     */
    public void useTeacherTensors(ComputationGraph teacher, List<DistillationGraphs.FeatureTap> taps,
                                  TeacherLogits tensors) {
        teacherLogits.put(new TeacherKey(teacher, taps), tensors);
    }

    /**
     * Writes a model trained elsewhere (best zip, final checkpoint, history as {@code train} writes them) into this run
     * folder, atomically, and returns it as this trainer's finished model.
     */
    public TrainedModel adopt(String name, byte[] best, byte[] checkpoint, byte[] history) {
        ModelFilesOf files = filesOf(name);
        io.distill4j.util.AtomicFiles.write(files.best(), f -> Files.write(f, best));
        io.distill4j.util.AtomicFiles.write(files.checkpoint(), f -> Files.write(f, checkpoint));
        io.distill4j.util.AtomicFiles.write(files.history(), f -> Files.write(f, history));
        return load(name);
    }

    /** A model this trainer finished earlier in this run folder (best model and history), e.g. after a resume. */
    public TrainedModel load(String name) {
        Path historyFile = folder.resolve("checkpoints/" + name + ".history.json");
        if (!Files.isRegularFile(historyFile)) {
            throw new IllegalArgumentException("no finished model " + name + " in " + folder.dir());
        }
        CheckpointState state = readState(historyFile);
        return finish(name, folder.resolve(name + ".zip"), state.history(), state.stoppedEarly());
    }

    private TrainedModel finish(String name, Path bestFile, List<EpochRecord> history, boolean stoppedEarly) {
        EpochRecord best = history.stream().max(java.util.Comparator.comparingDouble(EpochRecord::validationScore))
                .orElseThrow(() -> new IllegalStateException(name + " has no finished epoch"));
        return new TrainedModel(name, ModelFiles.load(bestFile), bestFile, List.copyOf(history), best, stoppedEarly);
    }

    /** Validation metrics and the hard-label loss, in one inference pass. */
    public record Validation(EvaluationResult result, double loss) {
    }

    /** Evaluates a model on the validation split. */
    public Validation validate(ComputationGraph graph) {
        return evaluate(graph, Split.VALIDATION);
    }

    /** Evaluates a model on a split: metrics, and the mean cross-entropy over counted pixels/examples. */
    public Validation evaluate(ComputationGraph graph, Split split) {
        return evaluate(graph, split, metrics);
    }

    /**
     * {@link #evaluate(ComputationGraph, Split)} with per-class precision-recall curves for segmentation too (per
     * pixel; classification always has them): for the test split a run reports, not every epoch's validation.
     */
    public Validation evaluateWithCurves(ComputationGraph graph, Split split) {
        return evaluate(graph, split, metrics.withPrecisionRecall());
    }

    private Validation evaluate(ComputationGraph graph, Split split, Metrics metrics) {
        Integer ignore = metrics.ignoreIndex();
        // log-probabilities are valid logits; alpha = 1 makes the loss plain cross-entropy
        DistillationLoss crossEntropy = new DistillationLoss(1.0, 1.0, ignore);
        double[] sums = new double[2];
        EvaluationResult result = metrics.evaluate(graph, data.iterator(split, config.training.batchSize, false),
                config.training.maxEvalBatches, (batch, probabilities) -> {
                    INDArray logProbs = Transforms.log(Transforms.max(probabilities, 1e-12, true), false);
                    INDArray classIds = batch.getLabels().size(1) == 1 ? batch.getLabels()
                            : batch.getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
                    DistillationLoss.Result r = crossEntropy.compute(logProbs, classIds);
                    sums[0] += r.hardLossSum();
                    sums[1] += r.validCount();
                });
        return new Validation(result, sums[1] == 0 ? Double.NaN : sums[0] / sums[1]);
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.4f", v);
    }

    /** What a checkpoint's history file holds. */
    record CheckpointState(List<EpochRecord> history, boolean finished, boolean stoppedEarly) {
    }

    private void writeState(Path file, CheckpointState state) {
        RunFolder.writeJsonFile(file, state);
    }

    private static CheckpointState readState(Path file) {
        try {
            return Json.MAPPER.readValue(file.toFile(), new TypeReference<CheckpointState>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint history " + file + ": " + e.getMessage(), e);
        }
    }
}
