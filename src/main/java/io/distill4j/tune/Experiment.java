package io.distill4j.tune;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Split;
import io.distill4j.data.Task;
import io.distill4j.eval.Plots;
import io.distill4j.loss.DistillationTerm;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.ModelTraining;
import io.distill4j.train.Trainer;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.inference.TTest;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evidence for a distillation method: K seeds × a list of methods on one config at equal budget (same epochs,
 * batch size and optimizer), paired by seed (the same initialisation and data order for every method of a seed),
 * against the student trained from scratch. Per method it reports the mean ± standard deviation of the test metric,
 * the paired difference against scratch with its 95% confidence interval (Student's t with K − 1 degrees of freedom)
 * and the paired t-test's two-sided p-value, all from Apache Commons Math.
 *
 * <p>The teacher is trained once (or given); its tensors are computed once per set of feature levels and shared by
 * every run. Each run is an ordinary model of the run folder ({@code <method>-seed<s>}), so an interrupted experiment
 * resumes with its finished runs kept.
 */
public final class Experiment {

    private static final Logger log = LoggerFactory.getLogger(Experiment.class);

    /** A named student objective; {@code terms} null = trained from scratch on the labels alone. */
    public record Method(String name, List<DistillationTerm> terms) {
        public Method {
            if (name == null || !name.matches("[A-Za-z0-9+._-]+")) {
                throw new IllegalArgumentException("method name '" + name + "' must be letters, digits, '+', '.',"
                        + " '_' or '-'");
            }
            terms = terms == null ? null : List.copyOf(terms);
        }

        public boolean scratch() {
            return terms == null;
        }
    }

    /** One trained student. */
    public record RunRecord(String method, long seed, double testScore, double validationScore, int bestEpoch,
                            double seconds) {
    }

    /** One method over the seeds, with its paired comparison against scratch (NaN for scratch itself). */
    public record MethodSummary(String method, int runs, double mean, double sd, double meanDifference,
                                double ciLow, double ciHigh, double pValue) {
    }

    /** What the experiment produced. */
    public record Result(Path runDir, String metric, double teacherScore, List<RunRecord> runs,
                         List<MethodSummary> summaries, String table) {
    }

    private final Run run;
    private final ComputationGraph teacher;
    private final double teacherScore;
    private final ModelTraining training;

    /**
     * @param teacher a trained teacher for the run's data
     */
    public Experiment(Run run, ComputationGraph teacher) {
        this(run, teacher, ModelTraining.LOCAL);
    }

    /**
     * An experiment whose runs train through {@code training}: here, or on a Spark cluster (each method and seed one
     * task, {@linkplain ModelTraining#parallelism() several at once}); records and the run folder stay here.
     */
    public Experiment(Run run, ComputationGraph teacher, ModelTraining training) {
        this.run = run;
        this.training = training;
        this.teacher = teacher;
        this.teacherScore = run.trainer().evaluate(teacher, Split.TEST).result().mainScore();
    }

    /**
     * The built-in methods for this config: {@code scratch}; {@code kd} (the config's alpha and temperature);
     * {@code l2}, {@code cwd}, {@code at}, {@code hint} and, for classification, {@code dkd}, each as hard-label
     * cross-entropy plus that term at its usual weight; and any {@code a+b} of them (their teacher terms together,
     * with one hard-label term).
     */
    public static Method preset(String name, RunConfig config, Task task) {
        if (name.contains("+")) {
            List<DistillationTerm> terms = new ArrayList<>();
            DistillationTerm.Kd hard = DistillationTerm.Kd.crossEntropy();
            for (String part : name.split("\\+")) {
                Method m = preset(part, config, task);
                if (m.scratch()) {
                    throw new IllegalArgumentException("method " + name + ": scratch cannot be combined");
                }
                for (DistillationTerm t : m.terms()) {
                    if (t instanceof DistillationTerm.Kd kd) {
                        if (kd.alpha() < 1) {
                            hard = kd;
                        }
                    } else {
                        terms.add(t);
                    }
                }
            }
            terms.add(0, hard);
            return new Method(name, terms);
        }
        DistillationTerm.Kd ce = DistillationTerm.Kd.crossEntropy();
        return switch (name) {
            case "scratch" -> new Method(name, null);
            case "kd" -> new Method(name, List.of(new DistillationTerm.Kd(1, config.distillation.alpha,
                    config.distillation.temperature)));
            case "l2" -> new Method(name, List.of(ce, DistillationTerm.L2Logits.of(1)));
            case "cwd" -> {
                if (task != Task.SEGMENTATION) {
                    throw new IllegalArgumentException("method cwd needs segmentation (a softmax over positions)");
                }
                yield new Method(name, List.of(ce, DistillationTerm.Cwd.of(3, 4)));
            }
            case "at" -> new Method(name, List.of(ce, DistillationTerm.At.of(1)));
            case "hint" -> new Method(name, List.of(ce, DistillationTerm.Hint.of(1, "enc3")));
            case "dkd" -> {
                if (task != Task.CLASSIFICATION) {
                    throw new IllegalArgumentException("method dkd is for classification");
                }
                yield new Method(name, List.of(ce, DistillationTerm.Dkd.of(1, 8, 4)));
            }
            default -> throw new IllegalArgumentException("unknown method '" + name + "': known are scratch, kd, l2,"
                    + " cwd, at, hint, dkd and combinations such as kd+cwd, or give NAME=[terms] (YAML)");
        };
    }

    /**
     * Trains every method on every seed (skipping runs already finished in this run folder) and reports.
     *
     * @param seeds at least 2, for a confidence interval
     */
    public Result run(List<Method> methods, int seeds) {
        if (seeds < 2) {
            throw new IllegalArgumentException("--seeds " + seeds + ": a confidence interval needs at least 2 seeds");
        }
        if (methods.stream().noneMatch(Method::scratch)) {
            methods = new ArrayList<>(methods);
            methods.add(0, new Method("scratch", null));
        }
        if (new LinkedHashSet<>(methods.stream().map(Method::name).toList()).size() != methods.size()) {
            throw new IllegalArgumentException("method names must be unique: " + methods.stream().map(Method::name).toList());
        }
        RunConfig base = run.config();
        String metric = run.data().task() == Task.SEGMENTATION ? "mean_iou" : "accuracy";
        List<Runnable> jobs = new ArrayList<>();
        RunRecord[] done = new RunRecord[seeds * methods.size()];
        for (int s = 0; s < seeds; s++) {
            long seed = base.seed + s;
            for (Method method : methods) {
                int slot = jobs.size();
                jobs.add(() -> {
                    RunRecord record = trainOne(base, method, seed, metric);
                    synchronized (done) {
                        done[slot] = record;
                        run.folder().writeJson("experiment-runs.json",
                                java.util.Arrays.stream(done).filter(java.util.Objects::nonNull).toList());
                    }
                });
            }
        }
        runAll(jobs);
        List<RunRecord> records = List.of(done);
        List<MethodSummary> summaries = summarise(methods, records);
        String table = table(metric, summaries, seeds);
        write(metric, records, summaries, table);
        return new Result(run.folder().dir(), metric, teacherScore, records, summaries, table);
    }

    /** One method on one seed: trained (or, finished earlier in this run folder, loaded) and tested. */
    private RunRecord trainOne(RunConfig base, Method method, long seed, String metric) {
        RunConfig config = RunConfigs.copy(base);
        config.seed = seed;
        if (!method.scratch()) {
            config.distillation.terms = method.terms();
        }
        Trainer trainer = run.trainer().withConfig(config);
        String name = method.name() + "-seed" + seed;
        long start = System.nanoTime();
        TrainedModel model = training.train(trainer, name, method.scratch() ? null : teacher,
                run.epochs(config.student), true);
        double test = trainer.evaluate(model.graph(), Split.TEST).result().mainScore();
        model.graph().close();
        RunRecord record = new RunRecord(method.name(), seed, test, model.best().validationScore(),
                model.best().epoch(), (System.nanoTime() - start) / 1e9);
        log.info("experiment {} seed {}: test {} {}", method.name(), seed, metric, String.format("%.4f", test));
        return record;
    }

    /**
     * Runs the jobs in order here, or {@link ModelTraining#parallelism()} at a time (on a cluster); the first failure
     * ends the experiment (its finished runs stay in the run folder for {@code --resume}).
     */
    private void runAll(List<Runnable> jobs) {
        List<java.util.function.Supplier<Void>> suppliers = jobs.stream().<java.util.function.Supplier<Void>>map(
                job -> () -> {
                    job.run();
                    return null;
                }).toList();
        try {
            ModelTraining.inOrder(Math.max(1, training.parallelism()), suppliers, done -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the experiment's runs trained", e);
        }
    }

    /** Mean, sd and the paired comparison against scratch per method. */
    static List<MethodSummary> summarise(List<Method> methods, List<RunRecord> records) {
        double[] scratch = scores(records, "scratch");
        List<MethodSummary> out = new ArrayList<>();
        for (Method method : methods) {
            double[] scores = scores(records, method.name());
            DescriptiveStatistics stats = new DescriptiveStatistics(scores);
            if (method.scratch()) {
                out.add(new MethodSummary(method.name(), scores.length, stats.getMean(), stats.getStandardDeviation(),
                        Double.NaN, Double.NaN, Double.NaN, Double.NaN));
                continue;
            }
            double[] diff = new double[scores.length];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = scores[i] - scratch[i];
            }
            DescriptiveStatistics d = new DescriptiveStatistics(diff);
            double half = new TDistribution(diff.length - 1).inverseCumulativeProbability(0.975)
                    * d.getStandardDeviation() / Math.sqrt(diff.length);
            double p = d.getStandardDeviation() == 0 ? (d.getMean() == 0 ? 1.0 : 0.0)
                    : new TTest().pairedTTest(scores, scratch);
            out.add(new MethodSummary(method.name(), scores.length, stats.getMean(), stats.getStandardDeviation(),
                    d.getMean(), d.getMean() - half, d.getMean() + half, p));
        }
        return out;
    }

    private static double[] scores(List<RunRecord> records, String method) {
        return records.stream().filter(r -> r.method().equals(method)).mapToDouble(RunRecord::testScore).toArray();
    }

    static String table(String metric, List<MethodSummary> summaries, int seeds) {
        StringBuilder md = new StringBuilder();
        md.append("| method | test ").append(metric).append(" (mean ± sd, ").append(seeds)
                .append(" seeds) | paired difference vs scratch | 95% CI | p (paired t) |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (MethodSummary s : summaries) {
            md.append(String.format(Locale.ROOT, "| %s | %.4f ± %.4f | %s | %s | %s |%n", s.method(), s.mean(), s.sd(),
                    Double.isNaN(s.meanDifference()) ? "–" : String.format(Locale.ROOT, "%+.4f", s.meanDifference()),
                    Double.isNaN(s.ciLow()) ? "–" : String.format(Locale.ROOT, "[%+.4f, %+.4f]", s.ciLow(), s.ciHigh()),
                    Double.isNaN(s.pValue()) ? "–" : String.format(Locale.ROOT, "%.3g", s.pValue())));
        }
        return md.toString();
    }

    private void write(String metric, List<RunRecord> records, List<MethodSummary> summaries, String table) {
        RunFolder folder = run.folder();
        folder.writeText("experiment.csv", io.distill4j.util.CsvTables.toCsv(
                List.of("method", "seed", "test_" + metric, "validation_" + metric, "best_epoch", "seconds"),
                records.stream().map(r -> List.of(r.method(), r.seed(), r.testScore(), r.validationScore(),
                        r.bestEpoch(), r.seconds())).toList()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("metric", metric);
        json.put("teacherTestScore", teacherScore);
        json.put("summaries", summaries);
        json.put("runs", records);
        folder.writeJson("experiment.json", json);
        folder.writeText("experiment.md", "# Experiment: " + run.config().name + "\n\n" + run.data().name()
                + "; teacher test " + metric + " " + String.format(Locale.ROOT, "%.4f", teacherScore) + "; student "
                + Trainer.describe(run.config().student) + ", " + run.epochs(run.config().student) + " epochs, batch "
                + run.config().training.batchSize + ", " + run.config().optimizer.type + " "
                + run.config().optimizer.learningRate + "\n\n" + table + "\n![per-seed scores](plots/experiment.png)\n");
        plot(metric, summaries, records);
    }

    /** Per-seed points and the mean of each method (x = method index). */
    private void plot(String metric, List<MethodSummary> summaries, List<RunRecord> records) {
        XYChart chart = new XYChartBuilder().width(900).height(500).title("Test " + metric + " per seed")
                .xAxisTitle("method (" + String.join(", ", summaries.stream().map(MethodSummary::method).toList()) + ")")
                .yAxisTitle(metric).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        for (int m = 0; m < summaries.size(); m++) {
            String method = summaries.get(m).method();
            double[] ys = scores(records, method);
            double[] xs = new double[ys.length];
            java.util.Arrays.fill(xs, m + 1);
            chart.addSeries(method, xs, ys);
            chart.addSeries(method + " mean", new double[]{m + 1}, new double[]{summaries.get(m).mean()})
                    .setMarker(SeriesMarkers.DIAMOND).setMarkerColor(java.awt.Color.BLACK).setShowInLegend(false);
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        Plots.write(chart, run.folder().folder("plots").resolve("experiment.png"));
    }

    /** A teacher file's graph, checked to have logits. */
    public static ComputationGraph loadTeacher(Path file) {
        ComputationGraph teacher = ModelFiles.load(file);
        if (teacher.getVertex(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException(file + ": the teacher has no \"" + UNetFactory.LOGITS + "\" vertex");
        }
        return teacher;
    }
}
