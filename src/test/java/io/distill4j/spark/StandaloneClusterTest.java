package io.distill4j.spark;

import io.distill4j.search.ArchitectureSearch;
import io.distill4j.train.ModelTraining;
import io.distill4j.tune.Sweep;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spark standalone cluster on this machine (a master and two one-core workers on 127.0.0.1, from the Maven
 * jars): a 4-candidate sweep and then a tiny architecture search run across both workers' executors and equal the
 * same sweep and search in this JVM. Tagged
 * {@code cluster} (not in the default test run; {@code .ci/run} runs it): it starts five JVMs. (The 2-epoch
 * parameter-averaging training on such a cluster is {@code ClusterFittingTest}, in the spark profile's src/spark/test.)
 */
@Tag("cluster")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {

    @Test
    void aFourCandidateSweepAndATinySearchAcrossTwoWorkersEqualTheLocalOnes(@TempDir Path dir) {
        Sweep.Result local = SparkSweepTest.sweep(SparkSweepTest.tinySweep(dir.resolve("local"), 4), null);
        ArchitectureSearch.Result localSearch = SparkSearchTest.search(SparkSearchTest.tinySearch(
                dir.resolve("local-search")), ModelTraining.LOCAL);
        try (LocalStandaloneCluster cluster = LocalStandaloneCluster.start(dir.resolve("cluster"), 2, "1536m",
                Duration.ofSeconds(60))) {
            try (SparkTraining spark = SparkTraining.connect(cluster.masterUrl(), cluster.driverSettings(),
                    Duration.ofSeconds(180))) {
                spark.awaitExecutors(2, Duration.ofSeconds(180));
                assertEquals(2, spark.parallelism(), "one core on each of the two workers");
                Sweep.Result onCluster = SparkSweepTest.sweep(SparkSweepTest.tinySweep(dir.resolve("spark"), 4), spark);
                SparkSweepTest.assertSameSweep(local, onCluster);
                assertEquals(2, spark.executorsUsed().size(), "both workers trained candidates: "
                        + spark.executorsUsed());
                // the search on the same (warm) executors: each policy update's new architectures side by side
                SparkSearchTest.assertSameSearch(localSearch, SparkSearchTest.search(SparkSearchTest.tinySearch(
                        dir.resolve("spark-search")), spark));
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
            }
            // the daemons outlive the application (its executors exit with it: checking those raced with their exit)
            List<String> exited = cluster.exitedDaemons();
            assertTrue(exited.isEmpty(), () -> "exited: " + exited + "\n" + cluster.logs());
        }
    }
}
