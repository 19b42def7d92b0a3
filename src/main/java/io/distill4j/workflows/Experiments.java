package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.loss.DistillationTerm;
import io.distill4j.train.ModelTraining;
import io.distill4j.tune.Experiment;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Several distillation methods compared with the student trained from scratch over several seeds (equal budget,
 * paired by seed): mean ± sd, paired difference, 95% confidence interval, paired t-test. Without a teacher file, the
 * run first trains the teacher.
 */
public final class Experiments {

    private Experiments() {
    }

    /**
     * A method to compare: a preset by name ({@code scratch, kd, l2, cwd, at, hint, dkd} or combinations such as
     * {@code kd+cwd}, resolved against the run's config and task), or a name with its own terms.
     */
    public record MethodChoice(String name, List<DistillationTerm> terms) {
        public MethodChoice {
            Objects.requireNonNull(name, "name");
            terms = terms == null ? null : List.copyOf(terms);
        }

        public static MethodChoice preset(String name) {
            return new MethodChoice(name, null);
        }

        public static MethodChoice of(String name, List<DistillationTerm> terms) {
            return new MethodChoice(name, Objects.requireNonNull(terms, "terms"));
        }
    }

    /**
     * @param run     a new run of a config, or one to resume
     * @param teacher a trained teacher model file (only read); null = train one first (or, resuming, the run's own)
     * @param methods the methods, each trained once per seed
     * @param seeds   seeds per method, at least 2 (a confidence interval needs two)
     */
    public record Options(RunSource run, Path teacher, List<MethodChoice> methods, int seeds) {
        public Options {
            Objects.requireNonNull(run, "run");
            methods = List.copyOf(methods);
            if (seeds < 2) {
                throw new IllegalArgumentException("seeds = " + seeds + ": a confidence interval needs at least 2 seeds");
            }
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("no methods to compare");
            }
        }

        public static Options of(RunConfig config, Path teacher, List<MethodChoice> methods, int seeds) {
            return new Options(RunSource.of(config), teacher, methods, seeds);
        }
    }

    public static Experiment.Result run(Options options) {
        return run(options, ModelTraining.LOCAL);
    }

    /**
     * The experiment with its runs trained through {@code training}: on a Spark cluster with
     * {@code io.distill4j.spark.SparkTraining}, each method and seed one task (the teacher and its tensors computed
     * once here and broadcast); the records and the run folder stay in this JVM.
     */
    public static Experiment.Result run(Options options, ModelTraining training) {
        RunSource source = options.run();
        Path teacherFile = Teachers.file(options.teacher(), source);
        return Runs.withRun(source, Teachers.command("experiment", teacherFile), run -> {
            List<Experiment.Method> methods = options.methods().stream().map(m -> m.terms() == null
                    ? Experiment.preset(m.name(), run.config(), run.data().task())
                    : new Experiment.Method(m.name(), m.terms())).toList();
            ComputationGraph teacher = Teachers.givenOrTrained(
                    teacherFile == null ? null : Experiment.loadTeacher(teacherFile), teacherFile, run);
            return new Experiment(run, teacher, training).run(methods, options.seeds());
        });
    }
}
