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
        TeacherRun run = new TeacherRun(options.source(List.of(), stop), teacherFile);
        try (EpochFitter fitter = fitter()) {
            return Distillation.run(run, fitter);
        }
    }

    @Override
    public Integer call() {
        Commands.print("distilled student", run(Commands.stopOnCtrlC()));
        return 0;
    }
}
