package io.distill4j.workflows;

import io.distill4j.train.ModelTraining;
import io.distill4j.train.RunReport;
import io.distill4j.train.TeacherCompatibility;
import io.distill4j.tune.Sweep;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;

/**
 * A sweep of the distillation hyperparameters (alpha, temperature, optionally learning rate and epochs) with Arbiter,
 * as the config's {@code tune} section says. Without a teacher file, the run first trains the teacher. The run's
 * report.md has the sweep's summary and table, and the best candidate's metrics, epochs and plots.
 */
public final class Tuning {

    private Tuning() {
    }

    public static Sweep.Result run(TeacherRun options) {
        return run(options, ModelTraining.LOCAL);
    }

    /**
     * The sweep with its candidates trained through {@code training}: on a Spark cluster with
     * {@code io.distill4j.spark.SparkTraining} (several candidates at once; the generator, the records and the run
     * folder stay in this JVM, so the same seed proposes the same candidates and {@code --resume} works alike).
     */
    public static Sweep.Result run(TeacherRun options, ModelTraining training) {
        RunSource source = options.run();
        Path teacherFile = Teachers.file(options.teacher(), source);
        ComputationGraph given = Teachers.load(teacherFile);
        return Runs.withRun(source, Teachers.command("tune", teacherFile), (config, data) -> {
            if (given != null) {
                TeacherCompatibility.check(given, teacherFile, data, config);
            }
        }, run -> {
            Sweep.Result result = new Sweep(run, Teachers.givenOrTrained(given, teacherFile, run), training)
                    .run(source.resumed());
            RunReport report = RunReport.of(run, "distill4j tune: " + run.config().name)
                    .section("Sweep", result.summary() + "\n" + result.table() + "\nBest config: [best-config.yaml]("
                            + result.runDir().relativize(result.bestConfig()) + ")"
                            + (result.promotedModel() != null ? "; promoted to `" + result.promotedModel() + "`." : "."));
            report.model(result.bestModel(), result.bestTest()).write();
            return result;
        });
    }
}
