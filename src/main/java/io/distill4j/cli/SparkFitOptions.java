package io.distill4j.cli;

import io.distill4j.train.EpochFitter;
import picocli.CommandLine.Option;

/**
 * {@code --spark} and {@code --spark-gradient-sharing} of the commands that train one network ({@code train},
 * {@code distill}): its epochs fitted on a Spark cluster by DL4J's own Spark training. (The sweeps' and experiments'
 * {@code --spark} runs whole candidates as tasks instead.)
 */
final class SparkFitOptions {

    @Option(names = "--spark", paramLabel = "MASTER_URL", description = "Fit the epochs on a Spark cluster with DL4J's"
            + " parameter averaging (local[N], spark://HOST:PORT, ...); validation, checkpoints and reports stay"
            + " here. Needs the build with the spark profile (mvn -Pcpu,spark package).")
    String spark;

    @Option(names = "--spark-gradient-sharing", description = "With --spark: DL4J's gradient sharing"
            + " (SharedTrainingMaster, Aeron) instead of parameter averaging. EXPERIMENTAL: it needs"
            + " -Daeron.publication.unblock.timeout=60000000000 (set for you); in the runs measured here it finished"
            + " but hardly trained in local[N] and left the model unchanged on a standalone cluster: see README.")
    boolean gradientSharing;

    /** The cluster fitting --spark asks for, or null; connected before the run starts. */
    EpochFitter fitter() {
        if (gradientSharing && spark == null) {
            throw new IllegalArgumentException("--spark-gradient-sharing needs --spark MASTER_URL");
        }
        return spark == null ? null : EpochFitter.spark(spark, gradientSharing);
    }
}
