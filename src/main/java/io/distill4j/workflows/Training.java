package io.distill4j.workflows;

import io.distill4j.compress.QuantizationAwareTraining;
import io.distill4j.config.RunConfig;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.train.PromotedRole;
import io.distill4j.train.Reports;
import io.distill4j.train.Run;
import io.distill4j.train.RunCommand;
import io.distill4j.train.RunReport;
import io.distill4j.train.TrainedModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Trains the teacher, or the student from scratch, on hard labels (with quantization-aware training when the config
 * asks for it); then the history, the test metrics, prediction mosaics and, when the config promotes, the model in the
 * models folder.
 */
public final class Training {

    private Training() {
    }

    /** Which network of the config a run trains. */
    public enum Network {
        TEACHER, STUDENT;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param run     a new run of a config, or one to resume
     * @param network which network; null = the teacher, or for a resumed run the network it was training
     */
    public record Options(RunSource run, Network network) {
        public Options {
            Objects.requireNonNull(run, "run");
        }

        public static Options of(RunConfig config, Network network) {
            return new Options(RunSource.of(config), network);
        }
    }

    /** What a training (or distillation) run produced. */
    public record Result(Path runDir, TrainedModel model, EvaluationResult test, Path promoted) {
    }

    public static Result run(Options options) {
        return run(options, null);
    }

    /**
     * The training with its epochs fitted by {@code fitter} (a Spark cluster: {@code EpochFitter.spark(master, ...)}
     * in a build with the {@code spark} profile); validation, checkpoints and reports stay here. Null = here.
     */
    public static Result run(Options options, io.distill4j.train.EpochFitter fitter) {
        RunSource source = options.run();
        Network network = options.network();
        if (source.resumed()) {
            RunCommand recorded = Runs.recorded(source.resume());
            if (recorded != null && recorded.command().equals("train")) {
                Runs.requireSame("--model", network == null ? null : network.toString(), recorded.model(),
                        source.resume());
                if (network == null && recorded.model() != null) {
                    network = Network.valueOf(recorded.model().toUpperCase(Locale.ROOT));
                }
            }
        }
        Network trained = network == null ? Network.TEACHER : network;
        String name = trained.toString();
        return Runs.withRun(source, new RunCommand("train", name, null), run -> {
            RunConfig.NetworkConfig spec = trained == Network.TEACHER ? run.config().teacher : run.config().student;
            run.trainer().fitWith(fitter);
            TrainedModel model = run.config().training.qat
                    ? QuantizationAwareTraining.train(run, name, spec, null, source.resumed())
                    : run.trainFromScratch(name, spec);
            return finish(run, model, trained == Network.TEACHER ? PromotedRole.TEACHER : PromotedRole.STUDENT_SCRATCH);
        });
    }

    /**
     * History, test metrics, mosaics, (when the config promotes) the promoted model, and the run's report.md of a
     * finished network.
     */
    static Result finish(Run run, TrainedModel trained, PromotedRole role) {
        Reports.history(run.folder(), trained, run.data().task());
        EvaluationResult test = Reports.test(run, trained.name(), trained.graph());
        Reports.mosaics(run, trained.name(), List.of(trained.name()), List.of(trained.graph()),
                run.config().output.mosaics);
        Path promoted = run.config().output.promote ? Reports.promote(run, trained, role, test) : null;
        String what = switch (role) {
            case TEACHER -> "train --model teacher";
            case STUDENT_SCRATCH -> "train --model student (from scratch)";
            case STUDENT_DISTILLED, N2N_STUDENT -> "distill";
        };
        RunReport report = RunReport.of(run, "distill4j " + what + ": " + run.config().name);
        if (role == PromotedRole.STUDENT_DISTILLED) {
            report.add("Distillation terms: " + run.config().distillation.resolvedTerms() + " (alpha "
                    + run.config().distillation.alpha + ", T " + run.config().distillation.temperature + ").");
        }
        if (promoted != null) {
            report.add("Promoted to `" + promoted + "` (role " + role.fileSuffix() + ").");
        }
        report.model(trained, test).write();
        return new Result(run.folder().dir(), trained, test, promoted);
    }
}
