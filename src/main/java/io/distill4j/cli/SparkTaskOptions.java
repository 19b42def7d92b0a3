package io.distill4j.cli;

import io.distill4j.spark.SparkTraining;
import io.distill4j.train.ModelTraining;
import picocli.CommandLine.Option;

import java.util.function.Function;

/**
 * {@code --spark} of the commands whose models are independent trainings ({@code tune}, {@code experiment},
 * {@code search}): each model one Spark task, several at once. (The {@code --spark} of {@code train} and
 * {@code distill}, {@link SparkFitOptions}, fits one network's epochs on the cluster instead.)
 */
final class SparkTaskOptions {

    @Option(names = "--spark", paramLabel = "MASTER_URL", description = "Train the models (candidates, or methods x"
            + " seeds) on a Spark cluster, one task each, several at once (local[N], spark://HOST:PORT, yarn,"
            + " k8s://...): the executors read the data themselves (its paths must exist on every worker) and need"
            + " distill4j's jars (spark-submit distill4j.jar with lib/ as spark.jars, see README; or the same path on"
            + " every worker); spark.* settings through JAVA_OPTS=-Dspark....")
    String spark;

    /**
     * Runs {@code work} with its models trained in this JVM, or on the cluster {@code --spark} names, connected
     * before the run starts (an unreachable master leaves no run folder behind) and closed after it.
     */
    <T> T run(Function<ModelTraining, T> work) {
        if (spark == null) {
            return work.apply(ModelTraining.LOCAL);
        }
        try (SparkTraining cluster = SparkTraining.connect(spark)) {
            return work.apply(cluster);
        }
    }
}
