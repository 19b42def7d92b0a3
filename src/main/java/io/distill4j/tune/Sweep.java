package io.distill4j.tune;

import com.fasterxml.jackson.core.type.TypeReference;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.ModelTraining;
import io.distill4j.train.Reports;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.train.RunInterruptedException;
import io.distill4j.train.TeacherLogits;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import io.distill4j.util.Json;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxTimeCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.TerminationCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.GeneticSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.generator.genetic.population.PopulationModel;
import org.deeplearning4j.arbiter.optimize.generator.genetic.selection.GeneticSelectionOperator;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A sweep of the distillation hyperparameters (alpha, temperature, optionally learning rate and epochs) with
 * Arbiter's random, grid or genetic search and its termination conditions, run by Arbiter's
 * {@link LocalOptimizationRunner} with a {@link TaskCreator} whose tasks are real distillation runs of the student
 * through the same {@link Trainer} as {@code distill}. The teacher's logits are computed once and shared by every
 * candidate. Each candidate's record is written as soon as it ends, so a sweep that is killed keeps its finished
 * candidates and {@code --resume} runs only the rest (the seeded generator proposes the same candidates again, and
 * the finished ones are answered from their records). A candidate that fails is recorded as failed and the sweep
 * goes on.
 */
public final class Sweep {

    private static final Logger log = LoggerFactory.getLogger(Sweep.class);
    static final String RECORDS = "candidates.json";

    /** Trains one candidate; replaceable in tests to simulate failures. */
    @FunctionalInterface
    public interface CandidateTrainer {
        TrainedModel train(String name, UNetSpec spec, int epochs);
    }

    /**
     * What a sweep found and what it cost.
     *
     * @param bestModel the best candidate's student (model and per-epoch history)
     * @param table     the candidates (and the baseline) as the Markdown table of {@code candidates.md}
     * @param grid      for a grid search, how much of the grid ran; null for random and genetic search
     */
    public record Result(Path runDir, List<CandidateRecord> candidates, CandidateRecord best, CandidateRecord baseline,
                         Path bestConfig, Path promotedModel, TrainedModel bestModel, EvaluationResult bestTest,
                         double teacherSeconds, long teacherForwardBatches, double candidateSeconds,
                         double estimatedSecondsWithoutCache, int arbiterResults, GridCoverage grid, String table,
                         String summary) {
    }

    /**
     * How much of a grid a sweep covered: Arbiter's grid has {@code points} points (every combination of
     * the grid's values of each searched hyperparameter, {@code tune.gridPoints} or fewer for a narrow integer range)
     * and proposes them in sequential order, so a
     * {@code tune.maxCandidates} below that runs the first {@code run} points and leaves {@code notRun} out.
     */
    public record GridCoverage(int points, Map<String, Integer> valuesPerSearched, int run,
                               List<DistillationCandidate> notRun) {

        public boolean cutShort() {
            return !notRun.isEmpty();
        }

        /** One line for the console and the report. */
        public String describe() {
            String grid = String.format(Locale.ROOT, "Grid: %d points (%s)", points,
                    valuesPerSearched.entrySet().stream().map(e -> e.getValue() + " values of " + e.getKey())
                            .collect(Collectors.joining(" × ")));
            if (!cutShort()) {
                return grid + "; all of them run.";
            }
            return grid + String.format(Locale.ROOT, "; %d candidates (tune.maxCandidates, --candidates) cut it short:"
                    + " the first %d in Arbiter's sequential order run (the candidates in the table), %d do not: %s.",
                    run, run,
                    notRun.size(), notRun.stream().map(c -> String.format(Locale.ROOT, "(alpha %.3f, T %.3f%s)",
                            c.alpha(), c.temperature(), valuesPerSearched.size() > 2 ? String.format(Locale.ROOT,
                                    ", lr %.2g, %d epochs", c.learningRate(), c.epochs()) : ""))
                    .collect(Collectors.joining(", ")));
        }
    }

    private final Run run;
    private final ComputationGraph teacher;
    /** A test's stand-in for the candidates' training, or null: they train through {@link #training}. */
    private final CandidateTrainer trainer;
    private final ModelTraining training;
    private final Map<Integer, CandidateRecord> records = new TreeMap<>();
    /** Set when a candidate was stopped (Ctrl-C): Arbiter then proposes no more and the sweep ends resumable. */
    private volatile boolean interrupted;

    public Sweep(Run run, ComputationGraph teacher) {
        this(run, teacher, ModelTraining.LOCAL);
    }

    /**
     * A sweep whose candidates train through {@code training}: here, or on a Spark cluster, as many at once as it
     * {@linkplain ModelTraining#parallelism() runs}; the generator, the records and the run folder stay here.
     */
    public Sweep(Run run, ComputationGraph teacher, ModelTraining training) {
        this.run = run;
        this.teacher = teacher;
        this.trainer = null;
        this.training = training;
    }

    Sweep(Run run, ComputationGraph teacher, CandidateTrainer trainer) {
        this.run = run;
        this.teacher = teacher;
        this.trainer = trainer;
        this.training = ModelTraining.LOCAL;
    }

    public Result run(boolean resume) {
        RunConfig config = run.config();
        if (resume) {
            readRecords();
            log.info("resuming the sweep: {} candidates already recorded", records.size());
        }
        long forwardBefore = run.trainer().teacherForwardBatches();
        TeacherLogits logits = run.trainer().teacherLogits(teacher);

        int defaultEpochs = run.epochs(config.student);
        DistillationSpace space = new DistillationSpace(config.tune, config.optimizer.learningRate, defaultEpochs);
        // over Spark, several candidates train at once: Arbiter's runner keeps that many tasks in flight
        int parallelism = trainer != null ? 1 : Math.max(1, training.parallelism());
        List<TerminationCondition> stop = new ArrayList<>();
        // Arbiter's MaxCandidatesCondition counts finished candidates: with several in flight it would launch more
        // than the limit, so then the limit is on the candidates launched (the runner waits for those in flight)
        stop.add(parallelism == 1 ? new MaxCandidatesCondition(config.tune.maxCandidates)
                : new Launched(config.tune.maxCandidates));
        stop.add(new Interrupted());
        if (config.tune.maxMinutes > 0) {
            stop.add(new MaxTimeCondition((long) Math.ceil(config.tune.maxMinutes * 60), TimeUnit.SECONDS));
        }
        OptimizationConfiguration arbiter = new OptimizationConfiguration.Builder()
                .candidateGenerator(generator(space, config))
                .scoreFunction(new ValidationScore())
                .terminationConditions(stop)
                .rngSeed(config.seed)
                .build();
        LocalOptimizationRunner runner = new LocalOptimizationRunner(parallelism, arbiter, new Tasks());
        log.info("sweep: {} search over {} (up to {} candidates{})", config.tune.generator, space.searched(),
                config.tune.maxCandidates, config.tune.maxMinutes > 0 ? ", " + config.tune.maxMinutes + " min" : "");
        GridCoverage grid = config.tune.generator == io.distill4j.config.SweepGenerator.GRID
                ? gridCoverage(space, config.tune.gridPoints, config.tune.maxCandidates, config.seed) : null;
        if (grid != null) {
            if (grid.cutShort()) {
                log.warn(grid.describe());
            } else {
                log.info(grid.describe());
            }
        }
        runner.execute();
        if (interrupted) {
            throw new RunInterruptedException("sweep stopped after " + records.size() + " recorded candidates; resume"
                    + " with --resume " + run.folder().dir());
        }
        int arbiterResults = 0;
        for (ResultReference reference : runner.getResults()) {
            try {
                int index = reference.getResult().getIndex();
                arbiterResults += records.containsKey(index) ? 1 : 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        CandidateRecord baseline = null;
        if (config.tune.baseline) {
            baseline = records.get(-1);
            if (baseline == null) {
                baseline = trainCandidate(-1, new DistillationCandidate(1.0, 1.0, config.optimizer.learningRate,
                        defaultEpochs));
            }
        }
        List<CandidateRecord> candidates = records.values().stream().filter(r -> r.index() >= 0).toList();
        CandidateRecord best = candidates.stream().filter(CandidateRecord::done)
                .max(Comparator.comparingDouble(CandidateRecord::score))
                .orElseThrow(() -> new IllegalStateException("every candidate failed; see " + run.folder().resolve(RECORDS)));

        Path bestConfig = run.folder().resolve("best-config.yaml");
        run.folder().writeText("best-config.yaml", "# best candidate " + best.index() + " of sweep "
                + run.folder().dir().getFileName() + ": validation " + scoreName() + " " + best.score() + "\n"
                + RunConfigs.toYaml(configFor(best.candidate())));
        TrainedModel bestModel = run.trainer().load(name(best.index()));
        Reports.history(run.folder(), bestModel, run.data().task());
        EvaluationResult bestTest = Reports.test(run, bestModel.name(), bestModel.graph());
        Path promoted = config.output.promote ? Reports.promote(run, bestModel, io.distill4j.train.PromotedRole.STUDENT_DISTILLED, bestTest) : null;

        double teacherSeconds = logits.seconds();
        double candidateSeconds = candidates.stream().mapToDouble(CandidateRecord::seconds).sum();
        // without the cache, every epoch of every candidate would run the teacher over the training split again
        double withoutCache = candidateSeconds + teacherSeconds * candidates.stream().mapToInt(CandidateRecord::epochs).sum();
        if (grid != null) {
            // what actually ran (tune.maxMinutes may have ended the sweep sooner than the candidate limit)
            grid = gridCoverage(space, config.tune.gridPoints, candidates.size(), config.seed);
        }
        String table = SweepReport.write(run, space, candidates, baseline, best, scoreName());
        String summary = summary(candidates, best, baseline, teacherSeconds, candidateSeconds, withoutCache, bestTest)
                + (grid != null ? grid.describe() + "\n" : "");
        run.folder().writeText("summary.md", summary);
        return new Result(run.folder().dir(), candidates, best, baseline, bestConfig, promoted, bestModel, bestTest,
                teacherSeconds, run.trainer().teacherForwardBatches() - forwardBefore, candidateSeconds, withoutCache,
                arbiterResults, grid, table, summary);
    }

    /**
     * The grid Arbiter's sequential grid search walks for this space (the same generator, seeded alike, asked for
     * every point) and which of its points are left out when only the first {@code candidates} run.
     */
    static GridCoverage gridCoverage(DistillationSpace space, int gridPoints, int candidates, long seed) {
        GridSearchCandidateGenerator all = new GridSearchCandidateGenerator(space, gridPoints,
                GridSearchCandidateGenerator.Mode.Sequential, null);
        all.setRngSeed(seed);
        List<DistillationCandidate> points = new ArrayList<>();
        while (all.hasMoreCandidates()) {
            points.add((DistillationCandidate) all.getCandidate().getValue());
        }
        Map<String, Integer> values = new java.util.LinkedHashMap<>();
        for (String name : space.searched()) {
            values.put(name, (int) points.stream().map(c -> switch (name) {
                case "alpha" -> c.alpha();
                case "temperature" -> c.temperature();
                case "learningRate" -> c.learningRate();
                default -> (double) c.epochs();
            }).distinct().count());
        }
        int run = Math.min(candidates, points.size());
        return new GridCoverage(points.size(), java.util.Collections.unmodifiableMap(values), run,
                List.copyOf(points.subList(run, points.size())));
    }

    private String scoreName() {
        return run.data().task() == io.distill4j.data.Task.SEGMENTATION ? "mean IoU" : "accuracy";
    }

    private String summary(List<CandidateRecord> candidates, CandidateRecord best, CandidateRecord baseline,
                           double teacherSeconds, double candidateSeconds, double withoutCache, EvaluationResult test) {
        long failed = candidates.stream().filter(r -> !r.done()).count();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%d candidates (%d failed). Best: candidate %d, alpha %.3f, T %.2f, lr %.2g, %d epochs: validation %s %.4f"
                        + " (test %.4f).%n", candidates.size(), failed, best.index(), best.alpha(), best.temperature(),
                best.learningRate(), best.epochs(), scoreName(), best.score(), test.mainScore()));
        if (baseline != null && baseline.done()) {
            double gain = best.score() - baseline.score();
            long better = candidates.stream().filter(r -> r.done() && r.score() > baseline.score()).count();
            s.append(String.format(Locale.ROOT, "Without distillation (alpha = 1, same budget): %.4f. The best candidate"
                    + " is %+.4f %s; %d of %d finished candidates beat alpha = 1.%n", baseline.score(), gain,
                    gain > 0 ? "better" : "(not better)", better, candidates.size() - failed));
        }
        s.append(String.format(Locale.ROOT, "Teacher logits computed once: %.1f s; candidates trained in %.0f s. Without"
                + " the cache each candidate epoch would rerun the teacher: about %.0f s, %.2fx the cost.%n",
                teacherSeconds, candidateSeconds, withoutCache, withoutCache / (candidateSeconds + teacherSeconds)));
        return s.toString();
    }

    private CandidateGenerator generator(DistillationSpace space, RunConfig config) {
        return switch (config.tune.generator) {
            case RANDOM -> seeded(new RandomSearchGenerator(space, null), config.seed);
            case GRID -> seeded(new GridSearchCandidateGenerator(space, config.tune.gridPoints,
                    GridSearchCandidateGenerator.Mode.Sequential, null), config.seed);
            case GENETIC -> new GeneticSearchCandidateGenerator.Builder(space, new ValidationScore())
                    .populationModel(new PopulationModel.Builder().populationSize(config.tune.populationSize).build())
                    .selectionOperator(new GeneticSelectionOperator.Builder()
                            .randomGenerator(seededRandom(config.seed)).build())
                    .build();
        };
    }

    private static JDKRandomGenerator seededRandom(long seed) {
        JDKRandomGenerator random = new JDKRandomGenerator();
        random.setSeed(seed);
        return random;
    }

    private static CandidateGenerator seeded(org.deeplearning4j.arbiter.optimize.generator.BaseCandidateGenerator g,
                                             long seed) {
        g.setRngSeed(seed);
        return g;
    }

    static String name(int index) {
        return index < 0 ? "baseline" : String.format(Locale.ROOT, "candidate-%03d", index);
    }

    /** The run's config with a candidate's values: what {@code distill} would need to reproduce it. */
    RunConfig configFor(DistillationCandidate c) {
        RunConfig copy = RunConfigs.copy(run.config());
        copy.distillation.terms = null;
        copy.distillation.alpha = c.alpha();
        copy.distillation.temperature = c.temperature();
        copy.optimizer.learningRate = c.learningRate();
        copy.student.epochs = c.epochs();
        return copy;
    }

    /** Trains one candidate (or the baseline), records the outcome, never throws for a failing candidate. */
    private CandidateRecord trainCandidate(int index, DistillationCandidate c) {
        long start = System.nanoTime();
        CandidateRecord record;
        try {
            RunConfig candidateConfig = configFor(c);
            UNetSpec spec = Trainer.spec(candidateConfig, candidateConfig.student, run.data(), true);
            // the candidate's config (kd term only, its alpha, T, learning rate and epochs) is what its trainer runs
            TrainedModel model = trainer != null ? trainer.train(name(index), spec, c.epochs())
                    : training.train(run.trainer().withConfig(candidateConfig), name(index), teacher, c.epochs(), false);
            record = new CandidateRecord(index, c.alpha(), c.temperature(), c.learningRate(), c.epochs(),
                    model.best().validationScore(), model.best().epoch(), seconds(start), "done", null);
            model.graph().close();
        } catch (RunInterruptedException e) {
            interrupted = true;
            throw e;
        } catch (RuntimeException e) {
            log.warn("candidate {} failed: {}", index, e.toString());
            record = new CandidateRecord(index, c.alpha(), c.temperature(), c.learningRate(), c.epochs(), Double.NaN,
                    0, seconds(start), "failed", e.toString());
        }
        try {
            Files.deleteIfExists(run.folder().resolve("checkpoints/" + name(index) + ".zip"));
        } catch (IOException e) {
            log.warn("cannot remove the checkpoint of {}: {}", name(index), e.toString());
        }
        synchronized (records) {
            records.put(index, record);
            run.folder().writeJson(RECORDS, new ArrayList<>(records.values()));
        }
        log.info("{}: alpha {} T {} lr {} epochs {} -> {} {}", name(index), f(c.alpha()), f(c.temperature()),
                c.learningRate(), c.epochs(), record.status(), f(record.score()));
        return record;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private void readRecords() {
        Path file = run.folder().resolve(RECORDS);
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            List<CandidateRecord> previous = Json.MAPPER.readValue(file.toFile(),
                    new TypeReference<List<CandidateRecord>>() {
                    });
            previous.forEach(r -> records.put(r.index(), r));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sweep's records " + file + ": " + e.getMessage(), e);
        }
    }

    /** Ends Arbiter's loop once a candidate has been stopped by the user. */
    private final class Interrupted implements TerminationCondition {
        @Override
        public void initialize(IOptimizationRunner optimizationRunner) {
        }

        @Override
        public boolean terminate(IOptimizationRunner optimizationRunner) {
            return interrupted;
        }
    }

    /** Ends Arbiter's loop once {@code max} candidates have been launched. */
    private static final class Launched implements TerminationCondition {
        private final int max;

        Launched(int max) {
            this.max = max;
        }

        @Override
        public void initialize(IOptimizationRunner optimizationRunner) {
        }

        @Override
        public boolean terminate(IOptimizationRunner optimizationRunner) {
            return optimizationRunner.numCandidatesTotal() >= max;
        }
    }

    /** Arbiter's tasks: a recorded candidate is answered from its record, a new one is trained. */
    private final class Tasks implements TaskCreator {

        @Override
        public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider,
                                                   ScoreFunction scoreFunction, List<StatusListener> statusListeners,
                                                   IOptimizationRunner runner) {
            return task(candidate);
        }

        @Override
        public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource,
                                                   Properties dataSourceProperties, ScoreFunction scoreFunction,
                                                   List<StatusListener> statusListeners, IOptimizationRunner runner) {
            return task(candidate);
        }

        private Callable<OptimizationResult> task(Candidate candidate) {
            return () -> {
                long started = System.currentTimeMillis();
                int index = candidate.getIndex();
                DistillationCandidate c = (DistillationCandidate) candidate.getValue();
                CandidateRecord record;
                synchronized (records) {
                    // several tasks run at once over Spark
                    record = records.get(index);
                }
                if (record == null || !record.done() || !record.candidate().equals(c)) {
                    record = trainCandidate(index, c);
                } else {
                    log.info("{}: finished in an earlier session, score {}", name(index), f(record.score()));
                }
                Double score = record.done() ? record.score() : null;
                CandidateInfo info = new CandidateInfo(index, record.done() ? CandidateStatus.Complete
                        : CandidateStatus.Failed, score, started, started, System.currentTimeMillis(),
                        candidate.getFlatParameters(), record.error());
                OptimizationResult result = new OptimizationResult(candidate, score, index, null, info, null);
                result.setResultReference(new Reference(result));
                return result;
            };
        }
    }

    /** Arbiter's handle on a finished candidate; the model itself is the candidate's zip in the run folder. */
    private final class Reference implements ResultReference {
        private final OptimizationResult result;

        Reference(OptimizationResult result) {
            this.result = result;
        }

        @Override
        public OptimizationResult getResult() {
            return result;
        }

        @Override
        public Object getResultModel() {
            return run.folder().resolve(name(result.getIndex()) + ".zip");
        }
    }

    /** Validation mean IoU or accuracy, maximised; the tasks compute it, so Arbiter only needs the direction. */
    static final class ValidationScore implements ScoreFunction {
        @Override
        public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) {
            throw new UnsupportedOperationException("candidates are scored by their own training run");
        }

        @Override
        public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) {
            throw new UnsupportedOperationException("candidates are scored by their own training run");
        }

        @Override
        public boolean minimize() {
            return false;
        }

        @Override
        public List<Class<?>> getSupportedModelTypes() {
            return List.of(Path.class);
        }

        @Override
        public List<Class<?>> getSupportedDataTypes() {
            return List.of(Object.class);
        }
    }
}
