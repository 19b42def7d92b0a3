package io.distill4j.cli;

import io.distill4j.eval.EvaluationResult;
import io.distill4j.train.PromotedRole;
import io.distill4j.train.Reports;
import io.distill4j.train.Run;
import io.distill4j.train.RunCommand;
import io.distill4j.train.TrainedModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j train}: trains the teacher, or the student from scratch, on hard labels. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the teacher, or the student from scratch, on a dataset.")
public final class TrainCommand implements Callable<Integer> {

    /** What a training run produced. */
    public record Result(Path runDir, TrainedModel model, EvaluationResult test, Path promoted) {
    }

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--model", description = "teacher or student (default: teacher; with --resume, the run's own)")
    String model;

    boolean installStopHook = true;

    /** Parses a command line and runs it (for the IDE, notebooks and tests). */
    public static Result run(String... args) {
        TrainCommand command = new TrainCommand();
        command.installStopHook = false;
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public Result run() {
        if (options.resume != null) {
            RunCommand recorded = Commands.recorded(options.resume);
            if (recorded != null && recorded.command().equals("train")) {
                Commands.requireSame("--model", model, recorded.model(), options.resume);
                model = Commands.resumed(model, recorded.model());
            }
        }
        if (model == null) {
            model = "teacher";
        }
        if (!List.of("teacher", "student").contains(model)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--model must be teacher or student, got "
                    + model);
        }
        return Commands.withRun(options, new RunCommand("train", model, null), installStopHook, run -> {
            var network = model.equals("teacher") ? run.config().teacher : run.config().student;
            TrainedModel trained = run.config().training.qat
                    ? io.distill4j.compress.QuantizationAwareTraining.train(run, model, network, null, options.resume != null)
                    : run.trainFromScratch(model, network);
            return finish(run, trained, model.equals("teacher") ? PromotedRole.TEACHER : PromotedRole.STUDENT_SCRATCH);
        });
    }

    static Result finish(Run run, TrainedModel trained, PromotedRole role) {
        Reports.history(run.folder(), trained, run.data().task());
        EvaluationResult test = Reports.test(run, trained.name(), trained.graph());
        Reports.mosaics(run, trained.name(), List.of(trained.name()), List.of(trained.graph()),
                run.config().output.mosaics);
        Path promoted = run.config().output.promote ? Reports.promote(run, trained, role, test) : null;
        return new Result(run.folder().dir(), trained, test, promoted);
    }

    @Override
    public Integer call() {
        Result r = run();
        System.out.printf("%s: best epoch %d of %d, test %s %.4f%n", r.model().name(), r.model().best().epoch(),
                r.model().history().size(), r.test().mainMetricName(), r.test().mainScore());
        System.out.println("run folder: " + r.runDir());
        if (r.promoted() != null) {
            System.out.println("model: " + r.promoted());
        }
        return 0;
    }
}
