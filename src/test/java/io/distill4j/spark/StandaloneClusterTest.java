package io.distill4j.spark;

import io.distill4j.tune.Sweep;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spark standalone cluster on this machine (a master and two one-core workers on 127.0.0.1, from the Maven
 * jars): a 4-candidate sweep runs across both workers' executors and equals the same sweep in this JVM. Tagged
 * {@code cluster} (not in the default test run; {@code .ci/run} runs it): it starts five JVMs. (The 2-epoch
 * parameter-averaging training on such a cluster is {@code ClusterFittingTest}, in the spark profile's src/spark/test.)
 */
@Tag("cluster")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {

    @Test
    void aFourCandidateSweepAcrossTwoWorkersEqualsTheLocalSweep(@TempDir Path dir) {
        Sweep.Result local = SparkSweepTest.sweep(SparkSweepTest.tinySweep(dir.resolve("local"), 4), null);
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
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
            }
            assertTrue(cluster.alive().stream().allMatch(ProcessHandle::isAlive));
        }
    }
}
