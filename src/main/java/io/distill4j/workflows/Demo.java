package io.distill4j.workflows;

import io.distill4j.data.Split;
import io.distill4j.eval.ComparisonTable;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.InferenceTimer;
import io.distill4j.train.PromotedRole;
import io.distill4j.train.Reports;
import io.distill4j.train.Run;
import io.distill4j.train.RunReport;
import io.distill4j.train.RunCommand;
import io.distill4j.train.TrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job, on the built-in land-cover data or any config: train the teacher, distill the student from it, train
 * the same student from scratch with the same budget (epochs, batches, optimizer, seed), evaluate all three on the
 * held-out test split, and write the comparison table and the report.
 */
public final class Demo {

    private Demo() {
    }

    /** The three models and how they compare. */
    public record Result(Path runDir, ComparisonTable table, EvaluationResult teacher, EvaluationResult distilled,
                         EvaluationResult scratch, String verdict, double seconds) {
    }

    public static Result run(RunSource source) {
        long start = System.nanoTime();
        return Runs.withRun(source, RunCommand.of("demo"), run -> {
            TrainedModel teacher = run.trainFromScratch("teacher", run.config().teacher);
            TrainedModel distilled = run.distill("student-distilled", teacher.graph());
            TrainedModel scratch = run.trainFromScratch("student-scratch", run.config().student);
            List<TrainedModel> models = List.of(teacher, distilled, scratch);
            List<EvaluationResult> tests = models.stream().map(m -> {
                Reports.history(run.folder(), m, run.data().task());
                return Reports.test(run, m.name(), m.graph());
            }).toList();
            Reports.mosaics(run, "comparison", models.stream().map(TrainedModel::name).toList(),
                    models.stream().map(TrainedModel::graph).toList(), run.config().output.mosaics);

            INDArray batch = run.data().iterator(Split.VALIDATION, run.config().training.batchSize, false).next()
                    .getFeatures();
            List<ComparisonTable.Row> rows = new ArrayList<>();
            for (int i = 0; i < models.size(); i++) {
                TrainedModel m = models.get(i);
                ComputationGraph g = m.graph();
                rows.add(ComparisonTable.row(m.name(), g, m.modelFile(), tests.get(i).mainScore(),
                        InferenceTimer.measure(g, batch).msPerImage()));
            }
            ComparisonTable table = new ComparisonTable("test " + tests.get(0).mainMetricName(), rows);
            String verdict = verdict(tests.get(1), tests.get(2));
            table.write(run.folder().resolve("comparison.md"));
            if (run.config().output.promote) {
                Reports.promote(run, teacher, PromotedRole.TEACHER, tests.get(0));
                Reports.promote(run, distilled, PromotedRole.STUDENT_DISTILLED, tests.get(1));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            report(run, table, verdict, models, tests, seconds).write();
            return new Result(run.folder().dir(), table, tests.get(0), tests.get(1), tests.get(2), verdict, seconds);
        });
    }

    /**
     * The spread of a single run's difference between two students on the built-in land cover: the paired
     * differences of the 5-seed experiment (README, "The evidence") vary by about this much from seed to seed.
     */
    static final double SINGLE_RUN_NOISE = 0.02;

    /**
     * Whether distillation helped, in plain words, from the two students' test scores of one seed: a difference
     * smaller than {@link #SINGLE_RUN_NOISE} is called what it is, within run-to-run noise.
     */
    static String verdict(EvaluationResult distilled, EvaluationResult scratch) {
        return verdict(distilled.mainMetricName().replace('_', ' '), distilled.mainScore(), scratch.mainScore());
    }

    static String verdict(String metric, double d, double s) {
        String change = String.format(Locale.ROOT, "%s %.4f (distilled) vs %.4f (from scratch), %+.4f", metric, d, s,
                d - s);
        if (Math.abs(d - s) < SINGLE_RUN_NOISE) {
            return "Within run-to-run noise: " + change + String.format(Locale.ROOT, " (one seed; differences under"
                    + " %.2f are not separable from noise in one run: `./distill4j experiment` measures a method over"
                    + " several seeds with a confidence interval).", SINGLE_RUN_NOISE);
        }
        return (d > s ? "Distillation helped: " : "Distillation did not help: ") + change
                + " (one seed; `./distill4j experiment` gives the confidence interval).";
    }

    private static RunReport report(Run run, ComparisonTable table, String verdict, List<TrainedModel> models,
                                    List<EvaluationResult> tests, double seconds) {
        RunReport report = RunReport.of(run, "distill4j demo: " + run.config().name)
                .add("Distillation terms: " + run.config().distillation.resolvedTerms()
                        + "; both students: " + run.epochs(run.config().student) + " epochs, batch "
                        + run.config().training.batchSize + ", " + run.config().optimizer.type + " lr "
                        + run.config().optimizer.learningRate + ", seed " + run.config().seed + ".")
                .section("Comparison on the test split", table.toMarkdown() + "\n" + verdict)
                .add(String.format(Locale.ROOT, "Total time: %.0f s.", seconds));
        for (int i = 0; i < models.size(); i++) {
            report.model(models.get(i), tests.get(i));
        }
        return report;
    }
}
