package io.distill4j.spark;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.EpochRecord;
import io.distill4j.train.TinyRuns;
import io.distill4j.workflows.Distillation;
import io.distill4j.workflows.TeacherRun;
import io.distill4j.workflows.Training;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --spark} / {@code distill --spark}: DL4J's parameter averaging fits a tiny student (distill4j's own
 * output layer, which travels to the executors as DL4J JSON) in Spark's local mode and on a real standalone cluster
 * of two workers, against the same training in local mode.
 */
@Tag("cluster")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterFittingTest {

    static RunConfig tinyStudent(Path dir, int epochs) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.name = "tiny-pa";
        config.data = RunConfigs.load(null, List.of("data.height=16", "data.width=16", "data.samples=64")).data;
        config.student.filters = List.of(4, 8);
        config.training.maxBatches = 0;
        config.training.maxEvalBatches = 0;
        config.training.batchSize = 8;
        config.training.epochs = epochs;
        config.optimizer.learningRate = 1e-2;
        config.output.mosaics = 0;
        return config;
    }

    static Training.Result train(RunConfig config, ClusterFitting fitting) {
        return Training.run(Training.Options.of(config, Training.Network.STUDENT), fitting);
    }

    @Test
    void parameterAveragingTrainsAndDistilsTheStudentInLocalMode(@TempDir Path dir) {
        try (JavaSparkContext context = new JavaSparkContext("local[2]", "distill4j-test");
             ClusterFitting fitting = ClusterFitting.on(context, false)) {
            Training.Result scratch = train(tinyStudent(dir, 3), fitting);
            List<EpochRecord> h = scratch.model().history();
            assertEquals(3, h.size());
            assertTrue(h.stream().allMatch(r -> Double.isFinite(r.trainLoss())), h.toString());
            assertTrue(h.get(2).validationLoss() < h.get(0).validationLoss(), "it learns: " + h);
            ComputationGraph reloaded = ModelFiles.load(scratch.model().modelFile());
            assertEquals(scratch.model().graph().params(), reloaded.params(), "the saved model round-trips");

            // distillation: the teacher's logits are the labels of the RDD's batches
            RunConfig distill = tinyStudent(dir.resolve("kd"), 2);
            distill.distillation.terms = null;
            distill.name = "tiny-pa-kd";
            Training.Result kd = Distillation.run(TeacherRun.of(distill, scratch.promoted()), fitting);
            assertEquals(2, kd.model().history().size());
            assertTrue(Double.isFinite(kd.model().best().validationScore()));
        }
    }

    @Test
    void twoEpochsOnAStandaloneClusterOfTwoWorkersMatchLocalMode(@TempDir Path dir) {
        Training.Result local;
        try (JavaSparkContext context = new JavaSparkContext("local[2]", "distill4j-test");
             ClusterFitting fitting = ClusterFitting.on(context, false)) {
            local = train(tinyStudent(dir.resolve("local"), 2), fitting);
        }
        try (LocalStandaloneCluster cluster = LocalStandaloneCluster.start(dir.resolve("cluster"), 2, "1536m",
                Duration.ofSeconds(60))) {
            try (ClusterFitting fitting = new ClusterFitting(SparkTraining.connect(cluster.masterUrl(),
                    cluster.driverSettings(), Duration.ofSeconds(180)), false)) {
                fitting.awaitExecutors(2, Duration.ofSeconds(180));
                Training.Result onCluster = train(tinyStudent(dir.resolve("spark"), 2), fitting);
                List<EpochRecord> a = local.model().history();
                List<EpochRecord> b = onCluster.model().history();
                assertEquals(2, b.size());
                System.out.println("parameter averaging, 2 epochs: local[2] " + a + "\nstandalone cluster " + b);
                // both learn, and alike; not bit for bit: the cluster hands the partitions to its executors in
                // another order than local mode's threads (measured 2026-12-02: 1.6059 local[2], 1.6152 cluster)
                assertTrue(b.get(1).validationLoss() < b.get(0).validationLoss(), "it learns on the cluster: " + b);
                assertEquals(a.get(1).validationLoss(), b.get(1).validationLoss(), 0.05, "alike: " + a + " / " + b);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
            }
        }
    }
}
