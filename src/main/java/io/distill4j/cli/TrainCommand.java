package io.distill4j.cli;

import io.distill4j.train.EpochFitter;
import io.distill4j.train.StopSignal;
import io.distill4j.workflows.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j train}: {@link Training} of the teacher, or the student from scratch, on hard labels. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the teacher, or the student from scratch, on a dataset.")
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--model",
            description = "${COMPLETION-CANDIDATES} (default: teacher; with --resume, the run's own)")
    Training.Network model;

    @Mixin
    SparkFitOptions sparkFit = new SparkFitOptions();

    Training.Result run(StopSignal stop) {
        Training.Options run = new Training.Options(options.source(List.of(), stop), model);
        try (EpochFitter fitter = sparkFit.fitter()) {
            return Training.run(run, fitter);
        }
    }

    @Override
    public Integer call() {
        Training.Result r = run(Commands.stopOnCtrlC());
        Commands.print(r.model().name(), r);
        return 0;
    }
}
