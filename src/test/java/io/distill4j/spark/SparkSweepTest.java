package io.distill4j.spark;

import io.distill4j.config.RunConfig;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TinyRuns;
import io.distill4j.tune.CandidateRecord;
import io.distill4j.tune.Experiment;
import io.distill4j.tune.Sweep;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sweeps and experiments whose models train as Spark tasks, in Spark's local mode ({@code local[2]}: two executor
 * threads in this JVM, the same code path as a cluster's executors): the same candidates and scores as a local run,
 * failed tasks retried or recorded, an unreachable master refused before any run folder exists.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@Tag("e2e")
class SparkSweepTest {

    static RunConfig tinySweep(Path dir, int candidates) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.name = "tiny-spark";
        config.tune.maxCandidates = candidates;
        config.output.promote = false;
        return config;
    }

    static ComputationGraph teacher(Run run) {
        return UNetFactory.build(UNetSpec.of(List.of(4, 8), run.data().task(), run.data().channels(),
                run.data().numClasses(), run.data().height(), run.data().width()).withSeed(7));
    }

    static Sweep.Result sweep(RunConfig config, SparkTraining spark) {
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ComputationGraph teacher = teacher(run);
            return spark == null ? new Sweep(run, teacher).run(false) : new Sweep(run, teacher, spark).run(false);
        }
    }

    /** Same candidates, same scores (within floating-point noise) as {@code local}. */
    static void assertSameSweep(Sweep.Result local, Sweep.Result spark) {
        assertEquals(local.candidates().size(), spark.candidates().size());
        for (int i = 0; i < local.candidates().size(); i++) {
            CandidateRecord a = local.candidates().get(i);
            CandidateRecord b = spark.candidates().get(i);
            assertEquals(a.alpha(), b.alpha(), "candidate " + i + " proposed alike");
            assertEquals(a.temperature(), b.temperature());
            assertEquals("done", b.status(), b.toString());
            assertEquals(a.score(), b.score(), 1e-4, "candidate " + i + ": " + a + " vs " + b);
        }
        assertEquals(local.baseline().score(), spark.baseline().score(), 1e-4);
        // the same best, up to the tolerance above: two candidates scoring within it may swap places (thread counts
        // change oneDNN's summation order between the driver and the executors)
        CandidateRecord localTwin = local.candidates().stream().filter(c -> c.index() == spark.best().index())
                .findFirst().orElseThrow();
        assertEquals(local.best().score(), localTwin.score(), 1e-4,
                "Spark's best " + spark.best() + " is not one of the local sweep's best");
    }

    /** The cluster with executors that fail the first attempt of {@code failsOnce}'s task and every attempt of {@code failsAlways}'s. */
    static SparkTraining failing(SparkTraining cluster, String failsOnce, String failsAlways) {
        return cluster.withExecutorFunction(job -> {
            if (job.name().equals(failsOnce) && TaskContext.get().attemptNumber() == 0) {
                throw new IllegalStateException("executor lost (simulated, first attempt)");
            }
            if (job.name().equals(failsAlways)) {
                throw new IllegalStateException("executor lost (simulated, every attempt)");
            }
            return new ExecutorTraining().call(job);
        });
    }

    @Test
    void aSweepOnSparkEqualsTheLocalSweepAndShipsTheTeacherTensorsOnce(@TempDir Path dir) {
        Sweep.Result local = sweep(tinySweep(dir.resolve("local"), 3), null);
        try (SparkTraining spark = SparkTraining.connect("local[2]")) {
            assertEquals(2, spark.parallelism());
            Sweep.Result onSpark = sweep(tinySweep(dir.resolve("spark"), 3), spark);
            assertSameSweep(local, onSpark);
            // the driver computed the teacher's logits once (for the sweep); executors ran no teacher pass
            assertEquals(local.teacherForwardBatches(), onSpark.teacherForwardBatches());
            for (String file : List.of("candidates.csv", "best-config.yaml", "summary.md", "candidate-000.zip",
                    "checkpoints/candidate-002.history.json")) {
                assertTrue(Files.isRegularFile(onSpark.runDir().resolve(file)), "missing " + file);
            }
        }
    }

    @Test
    void aFailedTaskIsRetriedAndACandidateThatKeepsFailingIsRecordedThenResumed(@TempDir Path dir) {
        // local[2,2]: two task slots, two attempts per task
        try (SparkTraining cluster = SparkTraining.connect("local[2,2]")) {
            Sweep.Result result = sweep(tinySweep(dir, 3), failing(cluster, "candidate-000", "candidate-001"));
            assertEquals(3, result.candidates().size(), "the sweep finishes");
            assertTrue(result.candidates().get(0).status().equals("done"), "retried: " + result.candidates().get(0));
            CandidateRecord failed = result.candidates().get(1);
            assertEquals("failed", failed.status());
            assertTrue(failed.error().contains("candidate-001 failed on the Spark cluster")
                    && failed.error().contains("every attempt"), failed.error());
            assertTrue(result.candidates().get(2).status().equals("done"));

            // resumed on a healthy cluster: only the failed candidate trains again
            try (Run run = Run.resume(result.runDir(), "test", new StopSignal())) {
                Sweep.Result resumed = new Sweep(run, teacher(run), cluster).run(true);
                assertTrue(resumed.candidates().stream().allMatch(r -> r.status().equals("done")), resumed.candidates().toString());
                assertEquals(result.candidates().get(0), resumed.candidates().get(0), "kept, not retrained");
            }
        }
    }

    @Test
    void anExperimentOnSparkEqualsTheLocalOne(@TempDir Path dir) {
        List<Experiment.Method> methods = List.of(new Experiment.Method("scratch", null),
                new Experiment.Method("kd", List.of(new io.distill4j.loss.DistillationTerm.Kd(1, 0.5, 2))));
        Experiment.Result local;
        try (Run run = Run.start(tinySweep(dir.resolve("local"), 1), "test", new StopSignal())) {
            local = new Experiment(run, teacher(run)).run(methods, 2);
        }
        try (SparkTraining spark = SparkTraining.connect("local[2]");
             Run run = Run.start(tinySweep(dir.resolve("spark"), 1), "test", new StopSignal())) {
            Experiment.Result onSpark = new Experiment(run, teacher(run), spark).run(methods, 2);
            assertEquals(local.runs().size(), onSpark.runs().size());
            for (int i = 0; i < local.runs().size(); i++) {
                Experiment.RunRecord a = local.runs().get(i);
                Experiment.RunRecord b = onSpark.runs().get(i);
                assertEquals(a.method() + a.seed(), b.method() + b.seed());
                assertEquals(a.testScore(), b.testScore(), 1e-4, a + " vs " + b);
            }
        }
    }

    @Test
    void anUnreachableMasterIsAClearErrorWithinSecondsAndWritesNothing(@TempDir Path dir) {
        long start = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkTraining.connect("spark://127.0.0.1:1", Map.of(), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().startsWith("--spark spark://127.0.0.1:1: cannot reach the Spark master at"),
                e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
        assertThrows(IllegalArgumentException.class, () -> SparkTraining.connect("127.0.0.1:7077"));
    }
}
