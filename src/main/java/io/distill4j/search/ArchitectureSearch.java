package io.distill4j.search;

import com.fasterxml.jackson.core.type.TypeReference;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Split;
import io.distill4j.data.Task;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.InferenceTimer;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetArchitecture;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.ModelTraining;
import io.distill4j.train.Reports;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.train.RunInterruptedException;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import io.distill4j.util.Json;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * N2N learning (Ashok et al., ICLR 2018) on distill4j's U-Nets. Stage 1: a {@code Bidirectional(LSTM)} policy reads
 * the teacher's layers and samples, per layer, keep or remove (a level, or a second convolution); stage 2: an
 * {@code LSTM} policy reads the best stage-1 architecture's layers and samples a width fraction per layer. Each
 * iteration samples {@code m} rollouts, distills every new candidate from the fixed teacher for a few epochs through
 * the run's {@link Trainer} (the teacher's logits are computed once and shared by all candidates), scores it with the
 * {@link Reward} and updates the policy by REINFORCE with a moving-average baseline.
 *
 * <p>Like {@code tune.Sweep}: each distinct architecture is trained once (later rollouts that sample it again get its
 * recorded reward), a failing candidate is recorded and the search goes on, and everything is written as soon as it
 * is known, so {@code --resume} keeps the finished candidates and the policies' state and continues at the first
 * unfinished iteration (which samples the same rollouts again: each iteration's random generator is seeded from the
 * run seed, the stage and the iteration). The candidates train through a {@link ModelTraining}: in this JVM, or as
 * Spark tasks ({@code io.distill4j.spark.SparkTraining}), an iteration's new architectures side by side.
 */
public final class ArchitectureSearch {

    private static final Logger log = LoggerFactory.getLogger(ArchitectureSearch.class);
    static final String CANDIDATES = "candidates.json";
    static final String ROLLOUTS = "rollouts.json";
    static final String STATE = "search-state.json";
    static final String POLICIES = "policies.zip";
    private static final String REMOVAL_ENTRY = "removal.zip";
    private static final String SHRINKAGE_ENTRY = "shrinkage.zip";

    /** Where a candidate came from. */
    public enum Stage { REFERENCE, REMOVAL, SHRINKAGE }

    /** Distills one candidate and returns its best validation metric; replaceable in tests to simulate failures. */
    @FunctionalInterface
    public interface CandidateTrainer {
        double train(String name, ComputationGraph initial, int epochs);
    }

    /** Where the search stands: the next iteration to run and the baseline's reward window. */
    record State(Stage stage, int iteration, List<Double> recentRewards, UNetArchitecture shrinkageBase) {
    }

    /** A model of the final comparison: parameters, file bytes, ms/image, validation and test metric. */
    public record Row(String model, String architecture, long parameters, long fileBytes, double msPerImage,
                      double validationMetric, double testMetric) {
    }

    public record Result(Path runDir, List<Candidate> candidates, List<Rollout> rollouts, Candidate best,
                         Candidate reference, List<Row> table, Path bestConfig, Path promotedModel, String summary) {
    }

    private final Run run;
    private final ComputationGraph teacher;
    /** A stand-in for the candidates' training (tests), or null to train them through {@link #training}. */
    private final CandidateTrainer trainer;
    private final ModelTraining training;
    private final RunConfig.SearchConfig settings;
    private final Reward.Constraints constraints;
    private final UNetArchitecture teacherArchitecture;
    private final long teacherParams;
    private final Map<UNetArchitecture, Candidate> candidates = new LinkedHashMap<>();
    private final List<Rollout> rollouts = new ArrayList<>();
    private INDArray timingBatch;
    private double teacherMetric;
    private Policy removal;
    private Policy shrinkage;
    private State state;
    private ProgressBar progress;

    public ArchitectureSearch(Run run, ComputationGraph teacher) {
        this(run, teacher, ModelTraining.LOCAL);
    }

    /**
     * A search whose candidates (and final students) train through {@code training}: on a Spark cluster with
     * {@code io.distill4j.spark.SparkTraining}, each new architecture of an iteration is one Spark task and they train
     * side by side; the policies, their updates, the records and the run folder stay in this JVM, so the same seed
     * samples the same architectures and {@code --resume} works alike.
     */
    public ArchitectureSearch(Run run, ComputationGraph teacher, ModelTraining training) {
        this(run, teacher, null, training);
    }

    ArchitectureSearch(Run run, ComputationGraph teacher, CandidateTrainer trainer) {
        this(run, teacher, trainer, ModelTraining.LOCAL);
    }

    private ArchitectureSearch(Run run, ComputationGraph teacher, CandidateTrainer trainer, ModelTraining training) {
        this.run = run;
        this.teacher = teacher;
        this.settings = run.config().search;
        this.constraints = new Reward.Constraints(settings.maxParams, settings.maxMsPerImage, settings.maxFileBytes);
        this.teacherArchitecture = teacherArchitecture(teacher, run);
        this.teacherParams = teacher.numParams();
        this.trainer = trainer;
        this.training = training;
    }

    /**
     * The teacher's architecture, checked against the run's data.
     *
     * @throws IllegalArgumentException if it is not one of distill4j's U-Nets or does not fit the data
     */
    public static UNetArchitecture teacherArchitecture(ComputationGraph teacher, Run run) {
        UNetArchitecture architecture;
        try {
            architecture = UNetArchitecture.of(teacher);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the teacher is not a distill4j U-Net, so its layers cannot be searched: "
                    + e.getMessage(), e);
        }
        boolean segmentation = run.data().task() == Task.SEGMENTATION;
        if (architecture.depth() > 1 && architecture.hasDecoder() != segmentation) {
            throw new IllegalArgumentException("the teacher is a " + (segmentation ? "classification" : "segmentation")
                    + " network and the data is " + run.data().task().name().toLowerCase(Locale.ROOT));
        }
        return architecture;
    }

    /**
     * Fails before any training when no architecture of the search space can meet the constraints: the smallest one
     * (the shallowest level alone, its first convolution at the smallest width fraction) is built and measured.
     */
    public static void checkFeasible(Run run, UNetArchitecture teacherArchitecture) {
        RunConfig.SearchConfig s = run.config().search;
        Reward.Constraints constraints = new Reward.Constraints(s.maxParams, s.maxMsPerImage, s.maxFileBytes);
        if (constraints.equals(Reward.Constraints.NONE)) {
            return;
        }
        UNetArchitecture.Block first = teacherArchitecture.levels().get(0).encoder();
        double smallestFraction = s.widths.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        UNetArchitecture smallest = new UNetArchitecture(List.of(new UNetArchitecture.Level(
                new UNetArchitecture.Block(Actions.width(first.conv1(), smallestFraction), null, 0), null)));
        ComputationGraph graph = UNetFactory.build(candidateSpec(run, smallest), smallest);
        Optional<String> broken = constraints.violation(graph.numParams(),
                s.maxMsPerImage == null ? 0 : InferenceTimer.measure(graph, timingBatch(run), 1, 5).msPerImage(),
                s.maxFileBytes == null ? 0 : fileBytes(run, graph));
        graph.close();
        if (broken.isPresent()) {
            throw new IllegalArgumentException("no architecture of the search space meets the constraints: even the"
                    + " smallest one (" + smallest.describe() + ", one level, one convolution) has " + broken.get()
                    + ". Relax --max-params / --max-ms-per-image / --max-file-bytes");
        }
    }

    public Result run(boolean resume) {
        checkFeasible(run, teacherArchitecture);
        timingBatch = timingBatch(run);
        if (resume) {
            readRecords();
        }
        if (state == null) {
            state = new State(settings.removalIterations > 0 ? Stage.REMOVAL : Stage.SHRINKAGE, 0, List.of(),
                    settings.removalIterations > 0 ? null : teacherArchitecture);
        }
        if (removal == null) {
            loadOrCreatePolicies();
        }
        teacherMetric = run.trainer().validate(teacher).result().mainScore();
        if (!(teacherMetric > 0)) {
            throw new IllegalArgumentException("the teacher's validation " + metricName() + " is " + teacherMetric
                    + ": the reward divides by it; train the teacher first");
        }
        log.info("search: teacher {} ({} parameters, validation {} {}); {} rollouts per iteration, {} + {} iterations,"
                        + " {} epochs per candidate, strategy {}", teacherArchitecture.describe(), teacherParams,
                metricName(), f(teacherMetric), settings.rollouts, settings.removalIterations,
                settings.shrinkageIterations, settings.candidateEpochs, settings.strategy);

        UNetArchitecture referenceArchitecture = referenceArchitecture();
        evaluateNew(List.of(referenceArchitecture), Stage.REFERENCE, 0);
        Candidate reference = candidates.get(referenceArchitecture);
        startProgress();
        try {
            if (state.stage() == Stage.REMOVAL) {
                List<LayerDescriptor> layers = LayerDescriptor.of(teacherArchitecture, run.data().channels());
                double[] mask = layers.stream().mapToDouble(l -> l.role().removable() ? 1 : 0).toArray();
                iterate(Stage.REMOVAL, settings.removalIterations, removal, teacherArchitecture, layers, mask);
                UNetArchitecture base = best(Stage.REMOVAL).map(Candidate::architecture).orElse(teacherArchitecture);
                state = new State(Stage.SHRINKAGE, 0, List.of(), base);
                save();
            }
            UNetArchitecture base = state.shrinkageBase();
            iterate(Stage.SHRINKAGE, settings.shrinkageIterations, shrinkage, base,
                    LayerDescriptor.of(base, run.data().channels()), null);
        } finally {
            if (progress != null) {
                progress.close();
            }
        }

        Candidate best = best(null).orElseThrow(() -> new IllegalStateException("no candidate of the search finished"
                + " within the constraints; see " + run.folder().resolve("candidates.csv")));
        return finish(best, reference);
    }

    /** Runs the remaining iterations of one stage. */
    private void iterate(Stage stage, int iterations, Policy policy, UNetArchitecture base,
                         List<LayerDescriptor> layers, double[] mask) {
        INDArray input = policy.input(layers);
        for (int iteration = state.iteration(); iteration < iterations; iteration++) {
            Random random = new Random(run.config().seed * 1_000_003L + stage.ordinal() * 10_007L + iteration);
            int[][] actions = policy.sample(input, settings.rollouts, random,
                    settings.strategy == RunConfig.SearchConfig.Strategy.RANDOM);
            List<Optional<UNetArchitecture>> sampled = new ArrayList<>();
            for (int[] rollout : actions) {
                sampled.add(stage == Stage.REMOVAL ? Actions.remove(base, layers, rollout)
                        : Optional.of(Actions.shrink(base, layers, rollout, settings.widths)));
            }
            evaluateNew(sampled.stream().flatMap(Optional::stream).toList(), stage, iteration);
            double[] rewards = new double[actions.length];
            Integer[] ids = new Integer[actions.length];
            for (int j = 0; j < actions.length; j++) {
                if (sampled.get(j).isEmpty()) {
                    rewards[j] = Reward.VIOLATION;
                    log.info("{} {} rollout {}: removes every level: reward -1", stage, iteration + 1, j + 1);
                } else {
                    Candidate c = candidates.get(sampled.get(j).get());
                    rewards[j] = c.reward();
                    ids[j] = c.id();
                }
                step();
            }
            double baseline = baseline(state.recentRewards(), rewards);
            double[] advantages = new double[rewards.length];
            for (int j = 0; j < rewards.length; j++) {
                advantages[j] = rewards[j] - baseline;
                rollouts.add(new Rollout(stage, iteration, j, ids[j], rewards[j], baseline));
            }
            if (settings.strategy == RunConfig.SearchConfig.Strategy.REINFORCE) {
                policy.update(input, actions, advantages, mask);
            }
            List<Double> recent = new ArrayList<>(state.recentRewards());
            for (double r : rewards) {
                recent.add(r);
            }
            recent = new ArrayList<>(recent.subList(Math.max(0, recent.size() - settings.baselineWindow), recent.size()));
            state = new State(stage, iteration + 1, recent, state.shrinkageBase());
            save();
            log.info("{} iteration {}/{}: rewards {} (baseline {}), best so far {}", stage, iteration + 1, iterations,
                    java.util.Arrays.stream(rewards).mapToObj(ArchitectureSearch::f).toList(), f(baseline),
                    best(null).map(c -> f(c.reward()) + " " + c.architecture().describe()).orElse("-"));
        }
    }

    /** The mean of the last rewards before this batch; for the very first batch, its own mean. */
    static double baseline(List<Double> recent, double[] batch) {
        return recent.isEmpty() ? java.util.Arrays.stream(batch).average().orElse(0)
                : recent.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /**
     * The one place the candidates' distillation objective is chosen: {@code search.terms} (N2N's l2-logits by
     * default), whatever terms the run's distillation section lists. Shares the run's teacher tensors.
     */
    static Trainer candidateTrainer(Run run) {
        RunConfig config = io.distill4j.config.RunConfigs.copy(run.config());
        config.distillation.terms = run.config().search.resolvedTerms();
        return run.trainer().withConfig(config);
    }

    /**
     * {@link #candidateTrainer(Run)} with the architecture as its config's student: what a {@link ModelTraining}
     * (in this JVM or a Spark executor) builds, from {@link #candidateSpec}, and distills.
     */
    static Trainer candidateTrainer(Run run, UNetArchitecture architecture) {
        Trainer trainer = candidateTrainer(run);
        trainer.config().student = candidateNetwork(architecture);
        return trainer;
    }

    private static RunConfig.NetworkConfig candidateNetwork(UNetArchitecture architecture) {
        RunConfig.NetworkConfig network = new RunConfig.NetworkConfig();
        network.filters = architecture.encoderWidths();
        network.architecture = architecture;
        return network;
    }

    static UNetSpec candidateSpec(Run run, UNetArchitecture architecture) {
        return Trainer.spec(run.config(), candidateNetwork(architecture), run.data(), true);
    }

    /**
     * A new architecture measured on this machine: its record already when it breaks a constraint or cannot be
     * built ({@code settled}), else it still has to be distilled.
     */
    private record Measured(int id, Stage stage, int iteration, UNetArchitecture architecture, long parameters,
                            long fileBytes, double msPerImage, long start, Candidate settled) {
    }

    /**
     * Evaluates the architectures not recorded yet, each once, with ids in the order given. They are measured here
     * first, one after the other, while nothing trains (so ms/image is always timed on this machine, and the
     * constraints are checked before any training); then those within the constraints are distilled through
     * {@link #training}, as many at once as it trains (a Spark cluster's task slots; one in this JVM). Each record is
     * written as soon as it and those before it are known.
     */
    private void evaluateNew(List<UNetArchitecture> architectures, Stage stage, int iteration) {
        List<Measured> measured = new ArrayList<>();
        for (UNetArchitecture architecture : new java.util.LinkedHashSet<>(architectures)) {
            if (!candidates.containsKey(architecture)) {
                measured.add(measure(candidates.size() + measured.size(), architecture, stage, iteration));
            }
        }
        long toTrain = measured.stream().filter(m -> m.settled() == null).count();
        int threads = (int) Math.min(toTrain, trainer != null ? 1 : Math.max(1, training.parallelism()));
        try {
            ModelTraining.inOrder(threads, measured.stream().<java.util.function.Supplier<Candidate>>map(
                    m -> () -> distill(m)).toList(), this::record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunInterruptedException("search interrupted; resume with --resume " + run.folder().dir());
        }
    }

    /** Builds the architecture and measures it: parameters, file bytes, ms/image; a record if it breaks a constraint. */
    private Measured measure(int id, UNetArchitecture architecture, Stage stage, int iteration) {
        long start = System.nanoTime();
        long params = 0;
        long bytes = 0;
        double ms = Double.NaN;
        try {
            ComputationGraph graph = UNetFactory.build(candidateSpec(run, architecture), architecture);
            try {
                params = graph.numParams();
                bytes = fileBytes(run, graph);
                ms = InferenceTimer.measure(graph, timingBatch, 1, 5).msPerImage();
            } finally {
                graph.close();
            }
            Optional<String> broken = constraints.violation(params, ms, bytes);
            Candidate violated = broken.isEmpty() ? null : new Candidate(id, stage, iteration, architecture, params,
                    bytes, ms, Reward.compression(params, teacherParams), Double.NaN, Reward.VIOLATION, seconds(start),
                    Candidate.Status.VIOLATED, broken.get());
            return new Measured(id, stage, iteration, architecture, params, bytes, ms, start, violated);
        } catch (RunInterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            Measured unbuilt = new Measured(id, stage, iteration, architecture, params, bytes, ms, start, null);
            return new Measured(id, stage, iteration, architecture, params, bytes, ms, start, failed(unbuilt, e));
        }
    }

    /** Distills a measured architecture within the constraints (one at a time or several at once) into its record. */
    private Candidate distill(Measured m) {
        if (m.settled() != null) {
            return m.settled();
        }
        String name = name(m.id());
        try {
            double metric;
            if (trainer != null) {
                metric = trainer.train(name, UNetFactory.build(candidateSpec(run, m.architecture()), m.architecture()),
                        settings.candidateEpochs);
            } else {
                TrainedModel model = training.train(candidateTrainer(run, m.architecture()), name, teacher,
                        settings.candidateEpochs, false);
                model.graph().close();
                metric = model.best().validationScore();
            }
            return new Candidate(m.id(), m.stage(), m.iteration(), m.architecture(), m.parameters(), m.fileBytes(),
                    m.msPerImage(), Reward.compression(m.parameters(), teacherParams), metric,
                    Reward.of(m.parameters(), teacherParams, metric, teacherMetric), seconds(m.start()),
                    Candidate.Status.DONE, null);
        } catch (RunInterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            if (interrupted(e)) {
                // the thread was interrupted (a timeout, a shutdown): stop the search, it is no candidate's fault
                throw new RunInterruptedException("search interrupted during " + name + "; resume with --resume "
                        + run.folder().dir());
            }
            return failed(m, e);
        }
    }

    private Candidate failed(Measured m, RuntimeException e) {
        log.warn("{} ({}) failed: {}", name(m.id()), m.architecture().describe(), e.toString());
        return new Candidate(m.id(), m.stage(), m.iteration(), m.architecture(), m.parameters(), m.fileBytes(),
                m.msPerImage(), m.parameters() > 0 ? Reward.compression(m.parameters(), teacherParams) : Double.NaN,
                Double.NaN, Reward.VIOLATION, seconds(m.start()), Candidate.Status.FAILED, e.toString());
    }

    /** Records a candidate (and keeps only its record: the best architecture is trained again at the end). */
    private void record(Candidate c) {
        String name = name(c.id());
        for (String file : List.of(name + ".zip", "checkpoints/" + name + ".zip", "checkpoints/" + name + ".history.json")) {
            try {
                Files.deleteIfExists(run.folder().resolve(file));
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", file, e.toString());
            }
        }
        candidates.put(c.architecture(), c);
        run.folder().writeJson(CANDIDATES, new ArrayList<>(candidates.values()));
        log.info("{} [{} {}]: {} ({} parameters, {}x smaller) -> {} {}, reward {}", name,
                c.stage().name().toLowerCase(Locale.ROOT), c.iteration() + 1, c.architecture().describe(),
                c.parameters(), String.format(Locale.ROOT, "%.1f", c.compressionRatio()),
                c.status().name().toLowerCase(Locale.ROOT), c.done() ? metricName() + " " + f(c.metric()) : c.error(),
                f(c.reward()));
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.nio.channels.ClosedByInterruptException
                    || t instanceof java.io.InterruptedIOException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    /** The best finished candidate by reward, of one stage or (null) of both search stages. */
    private Optional<Candidate> best(Stage stage) {
        return candidates.values().stream().filter(Candidate::done)
                .filter(c -> stage == null ? c.stage() != Stage.REFERENCE : c.stage() == stage)
                .max(Comparator.comparingDouble(Candidate::reward));
    }

    /** The hand-designed student of the config (the 4-64 U-Net by default), evaluated with the same budget. */
    private UNetArchitecture referenceArchitecture() {
        RunConfig.NetworkConfig student = run.config().student;
        return student.architecture != null ? student.architecture
                : UNetArchitecture.of(Trainer.spec(run.config(), student, run.data(), true));
    }

    private Result finish(Candidate best, Candidate reference) {
        RunConfig bestConfig = RunConfigs.copy(run.config());
        bestConfig.student.filters = best.architecture().encoderWidths();
        bestConfig.student.architecture = best.architecture();
        bestConfig.student.encoderDropout = null;
        bestConfig.student.decoderDropout = null;
        bestConfig.name = run.config().name + "-n2n";
        run.folder().writeText("best-config.yaml", String.format(Locale.ROOT, "# best architecture of search %s:"
                        + " candidate %d, %,d parameters (%.1fx smaller than the teacher), validation %s %.4f after %d"
                        + " epochs, reward %.4f%n# use with: distill4j distill --config best-config.yaml --teacher ...%n",
                run.folder().dir().getFileName(), best.id(), best.parameters(), best.compressionRatio(), metricName(),
                best.metric(), settings.candidateEpochs, best.reward()) + RunConfigs.toYaml(bestConfig));

        List<Row> table = new ArrayList<>();
        Path promoted = null;
        int finalEpochs = settings.finalEpochs != null ? settings.finalEpochs : run.epochs(run.config().student);
        EvaluationResult teacherTest = finalEpochs > 0 ? Reports.test(run, "teacher", teacher) : null;
        table.add(new Row("teacher", teacherArchitecture.describe(), teacherParams, fileBytes(run, teacher),
                InferenceTimer.measure(teacher, timingBatch, 1, 5).msPerImage(), teacherMetric,
                teacherTest == null ? Double.NaN : teacherTest.mainScore()));
        if (finalEpochs > 0) {
            // both students get the same full distillation budget, so the comparison is fair
            TrainedModel referenceModel = trainFinal("reference-student", reference.architecture(), finalEpochs);
            EvaluationResult referenceTest = Reports.test(run, referenceModel.name(), referenceModel.graph());
            table.add(row("hand-designed student", reference, referenceModel, referenceTest));
            TrainedModel n2n = trainFinal("student", best.architecture(), finalEpochs);
            EvaluationResult n2nTest = Reports.test(run, n2n.name(), n2n.graph());
            table.add(row("N2N student", best, n2n, n2nTest));
            if (run.config().output.promote) {
                promoted = Reports.promote(run, n2n, io.distill4j.train.PromotedRole.N2N_STUDENT, n2nTest);
            }
        } else {
            table.add(row("hand-designed student", reference, null, null));
            table.add(row("N2N student", best, null, null));
        }
        List<Candidate> all = new ArrayList<>(candidates.values());
        SearchReport.write(run, all, rollouts, best, reference, table, teacherParams, teacherMetric, metricName(),
                settings);
        String summary = SearchReport.summary(run, all, best, reference, table, teacherParams, metricName(), settings,
                finalEpochs);
        run.folder().writeText("summary.md", summary);
        return new Result(run.folder().dir(), all, List.copyOf(rollouts), best, reference, table,
                run.folder().resolve("best-config.yaml"), promoted, summary);
    }

    private TrainedModel trainFinal(String name, UNetArchitecture architecture, int epochs) {
        TrainedModel model = training.train(candidateTrainer(run, architecture), name, teacher, epochs,
                Files.isRegularFile(run.folder().resolve("checkpoints/" + name + ".zip")));
        Reports.history(run.folder(), model, run.data().task());
        return model;
    }

    private Row row(String label, Candidate c, TrainedModel model, EvaluationResult test) {
        long bytes = c.fileBytes();
        double validation = c.metric();
        if (model != null) {
            validation = model.best().validationScore();
            try {
                bytes = Files.size(model.modelFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Row(label, c.architecture().describe(), c.parameters(), bytes, c.msPerImage(), validation,
                test == null ? Double.NaN : test.mainScore());
    }

    private String metricName() {
        return run.data().task() == Task.SEGMENTATION ? "mean IoU" : "accuracy";
    }

    static String name(int id) {
        return String.format(Locale.ROOT, "candidate-%03d", id);
    }

    /** The first validation batch: every candidate is timed on it. */
    private static INDArray timingBatch(Run run) {
        var iterator = run.data().iterator(Split.VALIDATION, run.config().training.batchSize, false);
        if (!iterator.hasNext()) {
            throw new IllegalArgumentException("the validation split is empty: candidates cannot be scored");
        }
        return iterator.next().getFeatures();
    }

    /** The size of the graph's model file as distill4j saves every model (with updater state and normalizer). */
    private static long fileBytes(Run run, ComputationGraph graph) {
        try {
            Path file = Files.createTempFile("distill4j-candidate", ".zip");
            try {
                ModelFiles.save(graph, file, run.data().normalizer());
                return Files.size(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure a candidate's file size: " + e.getMessage(), e);
        }
    }

    // ---- persistence: candidates, rollouts, state and policies, each written atomically ----

    private void save() {
        run.folder().writeJson(ROLLOUTS, rollouts);
        run.folder().writeJson(STATE, state);
        writePolicies(run.folder().resolve(POLICIES), removal, shrinkage);
    }

    /** Writes both policies (networks with their updater state) into one zip: what {@code --policy} reads. */
    static void writePolicies(Path file, Policy removal, Policy shrinkage) {
        io.distill4j.util.AtomicFiles.write(file, f -> {
            try (OutputStream out = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry(REMOVAL_ENTRY));
                zip.write(removal.toBytes());
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry(SHRINKAGE_ENTRY));
                zip.write(shrinkage.toBytes());
                zip.closeEntry();
            }
        });
    }

    /** Reads the two policies of a {@code policies.zip}. */
    static Policy[] readPolicies(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("policy file not found: " + file);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                zip.transferTo(bytes);
                entries.put(e.getName(), bytes.toByteArray());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read policy file " + file + ": " + e.getMessage(), e);
        }
        if (!entries.containsKey(REMOVAL_ENTRY) || !entries.containsKey(SHRINKAGE_ENTRY)) {
            throw new IllegalArgumentException("policy file " + file + " is not a search's " + POLICIES + ": it needs "
                    + REMOVAL_ENTRY + " and " + SHRINKAGE_ENTRY + ", has " + entries.keySet());
        }
        return new Policy[]{Policy.fromBytes(entries.get(REMOVAL_ENTRY)), Policy.fromBytes(entries.get(SHRINKAGE_ENTRY))};
    }

    private void loadOrCreatePolicies() {
        if (settings.policy != null) {
            Policy[] loaded = readPolicies(Path.of(settings.policy));
            if (loaded[0].actions() != 2 || loaded[1].actions() != settings.widths.size()) {
                throw new IllegalArgumentException("policy file " + settings.policy + " chooses among "
                        + loaded[1].actions() + " widths, this search among " + settings.widths.size() + " "
                        + settings.widths);
            }
            removal = loaded[0];
            shrinkage = loaded[1];
            log.info("policies loaded from {}", settings.policy);
        } else {
            long seed = run.config().seed;
            removal = Policy.removal(seed, settings.policyUnits, new Adam(settings.policyLearningRate), DataType.FLOAT);
            shrinkage = Policy.shrinkage(seed + 1, settings.policyUnits, settings.widths.size(),
                    new Adam(settings.policyLearningRate), DataType.FLOAT);
        }
    }

    private void readRecords() {
        Path candidatesFile = run.folder().resolve(CANDIDATES);
        try {
            if (Files.isRegularFile(candidatesFile)) {
                List<Candidate> previous = Json.MAPPER.readValue(candidatesFile.toFile(),
                        new TypeReference<List<Candidate>>() {
                        });
                previous.forEach(c -> candidates.put(c.architecture(), c));
            }
            Path stateFile = run.folder().resolve(STATE);
            if (Files.isRegularFile(stateFile)) {
                state = Json.MAPPER.readValue(stateFile.toFile(), State.class);
                rollouts.addAll(Json.MAPPER.readValue(run.folder().resolve(ROLLOUTS).toFile(),
                        new TypeReference<List<Rollout>>() {
                        }));
                Policy[] saved = readPolicies(run.folder().resolve(POLICIES));
                removal = saved[0];
                shrinkage = saved[1];
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the search's records in " + run.folder().dir() + ": "
                    + e.getMessage(), e);
        }
        log.info("resuming the search: {} candidates recorded, next {} iteration {}", candidates.size(),
                state == null ? "-" : state.stage(), state == null ? 1 : state.iteration() + 1);
    }

    // ---- progress ----

    private void startProgress() {
        long total = (long) (settings.removalIterations + settings.shrinkageIterations) * settings.rollouts;
        if (System.console() != null) {
            progress = new ProgressBarBuilder().setTaskName("N2N search").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).build();
            progress.stepTo(rollouts.size());
        }
    }

    private void step() {
        if (progress != null) {
            progress.step();
            progress.setExtraMessage(best(null).map(c -> String.format(Locale.ROOT, " best R %.3f, %,d params",
                    c.reward(), c.parameters())).orElse(""));
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
