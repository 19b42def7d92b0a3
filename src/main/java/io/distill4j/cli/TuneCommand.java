package io.distill4j.cli;

import io.distill4j.model.ModelFiles;
import io.distill4j.train.Reports;
import io.distill4j.train.TrainedModel;
import io.distill4j.tune.Sweep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code distill4j tune}: searches alpha and temperature (and optionally learning rate and epochs) with Arbiter,
 * as the config's {@code tune:} section says. Without {@code --teacher}, the run first trains the teacher.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Search the distillation hyperparameters (alpha, temperature, ...) with Arbiter.")
public final class TuneCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", paramLabel = "MODEL_ZIP", description = "A trained teacher; default: train one first.")
    Path teacherFile;

    @Option(names = "--candidates", description = "Shortcut for --set tune.maxCandidates=N.")
    Integer candidates;

    @Option(names = "--generator", description = "Shortcut for --set tune.generator=random|grid|genetic.")
    String generator;

    boolean installStopHook = true;

    public static Sweep.Result run(String... args) {
        TuneCommand command = new TuneCommand();
        command.installStopHook = false;
        RunOptions.withApplicableOptions(new CommandLine(command)).parseArgs(args);
        return command.run();
    }

    public Sweep.Result run() {
        if (candidates != null) {
            options.commandOptions.add(new RunOptions.Override("--candidates " + candidates,
                    java.util.List.of("tune.maxCandidates=" + candidates)));
        }
        if (generator != null) {
            options.commandOptions.add(new RunOptions.Override("--generator " + generator,
                    java.util.List.of("tune.generator=" + generator)));
        }
        if (options.resume != null && teacherFile == null) {
            io.distill4j.train.RunCommand recorded = Commands.recorded(options.resume);
            if (recorded != null && recorded.teacher() != null) {
                teacherFile = Path.of(recorded.teacher());
            }
        }
        if (options.name == null && options.resume == null) {
            options.name = "tune-" + options.load().name;
        }
        ComputationGraph given = teacherFile != null ? ModelFiles.load(teacherFile) : null;
        return Commands.withRun(options, new io.distill4j.train.RunCommand("tune", "student",
                teacherFile == null ? null : teacherFile.toString()), installStopHook, (config, data) -> {
                    if (given != null) {
                        io.distill4j.train.TeacherCompatibility.check(given, teacherFile, data, config);
                    }
                }, run -> {
            ComputationGraph teacher;
            if (teacherFile != null) {
                teacher = given;
                DistillCommand.checkCompatible(teacher, teacherFile, run);
            } else {
                TrainedModel trained = run.trainFromScratch("teacher", run.config().teacher);
                Reports.history(run.folder(), trained, run.data().task());
                teacher = trained.graph();
            }
            return new Sweep(run, teacher).run(options.resume != null);
        });
    }

    @Override
    public Integer call() {
        Sweep.Result r = run();
        System.out.println();
        System.out.print(r.summary());
        System.out.println("table: " + r.runDir().resolve("candidates.md"));
        System.out.println("best config: " + r.bestConfig());
        if (r.promotedModel() != null) {
            System.out.println("best student: " + r.promotedModel());
        }
        return 0;
    }
}
