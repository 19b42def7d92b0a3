package io.distill4j.tune;

import io.distill4j.util.AtomicFiles;
import io.distill4j.config.RunConfig;
import io.distill4j.config.SweepGenerator;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Split;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TinyRuns;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Tag("e2e")
class SweepTest {

    private static RunConfig tinySweep(Path dir, int candidates) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.name = "tiny-tune";
        config.tune.maxCandidates = candidates;
        return config;
    }

    private static ComputationGraph teacher(Run run) {
        return UNetFactory.build(UNetSpec.of(List.of(4, 8), run.data().task(), run.data().channels(),
                run.data().numClasses(), run.data().height(), run.data().width()));
    }

    /** Trains like the real sweep and remembers which candidates it trained. */
    private static Sweep.CandidateTrainer counting(Run run, ComputationGraph teacher, List<String> trained) {
        return (name, spec, epochs) -> {
            trained.add(name);
            return run.trainer().train(name, () -> UNetFactory.build(spec), teacher, epochs, false, List.of());
        };
    }

    @Test
    void aTinySweepWritesItsTableBestConfigAndModelAndRunsTheTeacherOnce(@TempDir Path dir) throws IOException {
        RunConfig config = tinySweep(dir, 3);
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ComputationGraph teacher = teacher(run);
            Sweep.Result result = new Sweep(run, teacher).run(false);
            assertEquals(3, result.candidates().size());
            assertEquals(3, result.arbiterResults(), "Arbiter's results reference every finished candidate");
            assertNotNull(result.baseline());
            assertEquals(1.0, result.baseline().alpha());
            int batches = (run.data().size(Split.TRAIN) + config.training.batchSize - 1) / config.training.batchSize;
            assertEquals(batches, result.teacherForwardBatches(), "one teacher pass for the whole sweep");
            for (CandidateRecord r : result.candidates()) {
                assertTrue(r.alpha() >= 0 && r.alpha() <= 1 && r.temperature() >= 1 && r.temperature() <= 20, r.toString());
                assertTrue(r.score() >= 0 && r.score() <= 1, r.toString());
            }
            for (String file : List.of("candidates.csv", "candidates.md", "candidates.json", "summary.md",
                    "best-config.yaml", "plots/sweep.png")) {
                assertTrue(Files.isRegularFile(result.runDir().resolve(file)), "missing " + file);
            }
            assertEquals(5, Files.readAllLines(result.runDir().resolve("candidates.csv")).size(),
                    "header, 3 candidates, baseline");
            RunConfig best = RunConfigs.load(result.bestConfig(), List.of());
            assertEquals(result.best().alpha(), best.distillation.alpha);
            assertEquals(result.best().temperature(), best.distillation.temperature);
            assertTrue(Files.isRegularFile(result.promotedModel()));
            assertTrue(result.summary().contains("alpha = 1"), result.summary());
        }
    }

    @Test
    void resumeRunsOnlyTheCandidatesNotYetFinished(@TempDir Path dir) {
        RunConfig config = tinySweep(dir, 2);
        Path runDir;
        List<String> first = new ArrayList<>();
        List<CandidateRecord> firstRecords;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ComputationGraph teacher = teacher(run);
            runDir = run.folder().dir();
            firstRecords = new Sweep(run, teacher, counting(run, teacher, first)).run(false).candidates();
        }
        assertEquals(List.of("candidate-000", "candidate-001", "baseline"), first);

        // the sweep is extended to 3 candidates in its own config, as if it had been killed after two
        Path configFile = runDir.resolve("config.yaml");
        RunConfig saved = RunConfigs.load(configFile, List.of("tune.maxCandidates=3"));
        io.distill4j.util.AtomicFiles.write(configFile, f -> Files.writeString(f, RunConfigs.toYaml(saved)));
        List<String> second = new ArrayList<>();
        try (Run run = Run.resume(runDir, "test", new StopSignal())) {
            ComputationGraph teacher = teacher(run);
            Sweep.Result result = new Sweep(run, teacher, counting(run, teacher, second)).run(true);
            assertEquals(List.of("candidate-002"), second, "finished candidates and the baseline are not retrained");
            assertEquals(3, result.candidates().size());
            assertEquals(firstRecords.get(0), result.candidates().get(0), "the same candidates are proposed again");
        }
    }

    @Test
    void aFailingCandidateIsRecordedAndTheSweepGoesOn(@TempDir Path dir) {
        RunConfig config = tinySweep(dir, 3);
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ComputationGraph teacher = teacher(run);
            List<String> trained = new ArrayList<>();
            Sweep.CandidateTrainer real = counting(run, teacher, trained);
            Sweep.CandidateTrainer failsOnSecond = (name, spec, epochs) -> {
                if (name.equals("candidate-001")) {
                    throw new IllegalStateException("simulated failure");
                }
                return real.train(name, spec, epochs);
            };
            Sweep.Result result = new Sweep(run, teacher, failsOnSecond).run(false);
            assertEquals(3, result.candidates().size());
            CandidateRecord failed = result.candidates().get(1);
            assertEquals("failed", failed.status());
            assertTrue(failed.error().contains("simulated failure"));
            assertTrue(Double.isNaN(failed.score()));
            assertTrue(result.candidates().get(2).done(), "the sweep went on after the failure");
            assertTrue(result.best().index() != 1);
        }
    }

    @Test
    void gridAndGeneticGeneratorsRunToo(@TempDir Path dir) {
        for (SweepGenerator generator : List.of(SweepGenerator.GRID, SweepGenerator.GENETIC)) {
            // genetic: the first 4 are the random first generation, the 5th is bred from them
            int candidates = generator == SweepGenerator.GRID ? 3 : 5;
            RunConfig config = tinySweep(dir.resolve(generator.toString()), candidates);
            config.tune.generator = generator;
            config.tune.gridPoints = 2;
            config.tune.populationSize = 4;
            config.tune.baseline = false;
            try (Run run = Run.start(config, "test", new StopSignal())) {
                Sweep.Result result = new Sweep(run, teacher(run)).run(false);
                assertEquals(candidates, result.candidates().size(), generator.toString());
                if (generator == SweepGenerator.GRID) {
                    // 4 grid points, 3 run: the summary says which one was left out
                    assertEquals(4, result.grid().points());
                    assertEquals(3, result.grid().run());
                    assertEquals(1, result.grid().notRun().size());
                    assertTrue(result.summary().contains("Grid: 4 points (2 values of alpha × 2 values of temperature)")
                            && result.summary().contains("1 do not"), result.summary());
                    // 2 points per searched value: alpha in {0, 1}, T in {1, 20}
                    assertTrue(result.candidates().stream().allMatch(r -> (r.alpha() == 0 || r.alpha() == 1)
                            && (Math.abs(r.temperature() - 1) < 1e-9 || Math.abs(r.temperature() - 20) < 1e-9)),
                            result.candidates().toString());
                }
            }
        }
    }
}
