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

    @Option(names = "--spark", paramLabel = "MASTER_URL", description = "Fit the epochs on a Spark cluster with DL4J's"
            + " parameter averaging (local[N], spark://HOST:PORT, ...); validation, checkpoints and reports stay"
            + " here. Needs the build with the spark profile (mvn -Pcpu,spark package).")
    String spark;

    @Option(names = "--spark-gradient-sharing", description = "With --spark: DL4J's gradient sharing"
            + " (SharedTrainingMaster, Aeron) instead of parameter averaging. EXPERIMENTAL: it needs"
            + " -Daeron.publication.unblock.timeout=60000000000 and hung in one of five runs when it was tried.")
    boolean gradientSharing;

    /** The cluster fitting --spark asks for, or null; connected before the run starts. */
    EpochFitter fitter() {
        if (gradientSharing && spark == null) {
            throw new IllegalArgumentException("--spark-gradient-sharing needs --spark MASTER_URL");
        }
        return spark == null ? null : EpochFitter.spark(spark, gradientSharing);
    }

    Training.Result run(StopSignal stop) {
        Training.Options run = new Training.Options(options.source(List.of(), stop), model);
        try (EpochFitter fitter = fitter()) {
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
