package io.distill4j.cli;

import io.distill4j.train.EpochFitter;
import io.distill4j.train.StopSignal;
import io.distill4j.workflows.Distillation;
import io.distill4j.workflows.TeacherRun;
import io.distill4j.workflows.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j distill}: {@link Distillation} of the student from a saved, frozen teacher. */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Train the student from a saved teacher with the distillation loss (the teacher stays frozen).")
public final class DistillCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", paramLabel = "MODEL_ZIP",
            description = "The trained teacher: a distill4j model zip, or a Keras .h5 model (imported with DL4J's"
                    + " KerasModelImport); required; with --resume, default: the run's own.")
    Path teacherFile;

    @Mixin
    SparkFitOptions sparkFit = new SparkFitOptions();

    Training.Result run(StopSignal stop) {
        TeacherRun run = new TeacherRun(options.source(List.of(), stop), teacherFile);
        try (EpochFitter fitter = sparkFit.fitter()) {
            return Distillation.run(run, fitter);
        }
    }

    @Override
    public Integer call() {
        Commands.print("distilled student", run(Commands.stopOnCtrlC()));
        return 0;
    }
}
