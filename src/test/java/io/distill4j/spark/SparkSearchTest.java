package io.distill4j.spark;

import io.distill4j.config.RunConfig;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.search.ArchitectureSearch;
import io.distill4j.search.Candidate;
import io.distill4j.search.Reward;
import io.distill4j.search.Rollout;
import io.distill4j.train.ModelTraining;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TinyRuns;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The N2N search with its candidates distilled as Spark tasks in {@code local[2]} (two executor threads, the code
 * path of a cluster's executors): the same architectures, metrics within floating-point noise and the same rollouts
 * as the search in this JVM; a candidate whose task keeps failing is recorded with reward -1 and the search goes on.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@Tag("e2e")
class SparkSearchTest {

    /** The tiny search of {@code ArchitectureSearchTest}: 2 + 2 iterations of 2 rollouts, 1 epoch per candidate. */
    /** {@link TinyRuns#search} with a final distillation of 1 epoch. */
    static RunConfig tinySearch(Path dir) {
        RunConfig config = TinyRuns.search(dir);
        config.name = "tiny-spark-search";
        config.search.finalEpochs = 1;
        config.output.promote = false;
        return config;
    }

    static ArchitectureSearch.Result search(RunConfig config, ModelTraining training) {
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ComputationGraph teacher = UNetFactory.build(UNetSpec.of(config.teacher.filters, run.data().task(),
                    run.data().channels(), run.data().numClasses(), run.data().height(), run.data().width())
                    .withSeed(7));
            return new ArchitectureSearch(run, teacher, training).run(false);
        }
    }

    /** The same architectures, rewards and rollouts, metrics within floating-point noise, as {@code local}. */
    static void assertSameSearch(ArchitectureSearch.Result local, ArchitectureSearch.Result onSpark) {
        assertEquals(local.candidates().size(), onSpark.candidates().size(), onSpark.candidates().toString());
        assertTrue(local.candidates().size() >= 3, "a search with several candidates: " + local.candidates());
        assertTrue(local.candidates().stream().mapToDouble(Candidate::metric).distinct().count() >= 2,
                "candidates that score differently, so the comparison below can fail: " + local.candidates());
        for (int i = 0; i < local.candidates().size(); i++) {
            Candidate a = local.candidates().get(i);
            Candidate b = onSpark.candidates().get(i);
            assertEquals(a.architecture(), b.architecture(), "candidate " + i + " sampled alike");
            assertEquals(a.parameters(), b.parameters());
            assertEquals(a.fileBytes(), b.fileBytes());
            assertEquals(a.status(), b.status(), b.toString());
            assertEquals(a.metric(), b.metric(), 1e-4, "candidate " + i + ": " + a + " vs " + b);
            assertEquals(a.reward(), b.reward(), 1e-4);
        }
        assertEquals(local.rollouts().size(), onSpark.rollouts().size());
        for (int i = 0; i < local.rollouts().size(); i++) {
            Rollout a = local.rollouts().get(i);
            Rollout b = onSpark.rollouts().get(i);
            assertEquals(a.candidate(), b.candidate(), "rollout " + i + " sampled alike: " + a + " vs " + b);
            assertEquals(a.reward(), b.reward(), 1e-4);
        }
        assertEquals(local.best().architecture(), onSpark.best().architecture());
        // the final students (the best architecture and the hand-designed one) trained on Spark too
        for (int i = 0; i < local.table().size(); i++) {
            assertEquals(local.table().get(i).validationMetric(), onSpark.table().get(i).validationMetric(), 1e-4,
                    local.table().get(i) + " vs " + onSpark.table().get(i));
        }
    }

    @Test
    void aSearchOnSparkSamplesAndScoresTheSameArchitecturesAsTheLocalSearch(@TempDir Path dir) throws Exception {
        ArchitectureSearch.Result local = search(tinySearch(dir.resolve("local")), ModelTraining.LOCAL);
        ArchitectureSearch.Result onSpark;
        try (SparkTraining spark = SparkTraining.connect("local[2]")) {
            onSpark = search(tinySearch(dir.resolve("spark")), spark);
        }
        assertSameSearch(local, onSpark);
        // the driver computed the teacher's tensors once; the executors only read the broadcast
        String log = Files.readString(onSpark.runDir().resolve("run.log"));
        assertEquals(1, log.lines().filter(l -> l.contains("teacher tensors for ")).count(), log);
        for (String file : List.of("candidates.csv", "rollouts.csv", "search-state.json", "policies.zip",
                "best-config.yaml", "summary.md", "student.zip")) {
            assertTrue(Files.isRegularFile(onSpark.runDir().resolve(file)), "missing " + file);
        }
    }

    @Test
    void aCandidateWhoseTaskKeepsFailingIsRecordedAndARandomSearchGoesOn(@TempDir Path dir) {
        RunConfig config = tinySearch(dir);
        config.search.strategy = RunConfig.SearchConfig.Strategy.RANDOM;
        config.search.finalEpochs = 0;
        // local[2,2]: two task slots, two attempts per task
        try (SparkTraining cluster = SparkTraining.connect("local[2,2]")) {
            ArchitectureSearch.Result r = search(config,
                    SparkSweepTest.failing(cluster, "candidate-000", "candidate-002"));
            assertEquals(8, r.rollouts().size(), "the search went on");
            assertEquals(Candidate.Status.DONE, r.candidates().get(0).status(), "retried: " + r.candidates().get(0));
            Candidate failed = r.candidates().get(2);
            assertEquals(Candidate.Status.FAILED, failed.status(), failed.toString());
            assertEquals(Reward.VIOLATION, failed.reward());
            assertTrue(failed.error().contains("candidate-002 failed on the Spark cluster")
                    && failed.error().contains("every attempt"), failed.error());
            assertTrue(r.candidates().stream().filter(c -> c.id() != 2).allMatch(Candidate::done),
                    r.candidates().toString());
        }
    }
}
