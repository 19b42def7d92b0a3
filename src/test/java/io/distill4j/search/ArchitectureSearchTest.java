package io.distill4j.search;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.model.UNetArchitecture;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.Run;
import io.distill4j.train.RunInterruptedException;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TinyRuns;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search's bookkeeping with a stand-in candidate trainer (a metric computed from the architecture, so these
 * tests check resume, caching, failures and constraints, not training); the real trainer runs in
 * {@code cli.SearchCommandTest}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ArchitectureSearchTest {

    private static RunConfig tinySearch(Path dir) {
        return TinyRuns.search(dir);
    }

    private static ComputationGraph teacher(Run run) {
        return UNetFactory.build(UNetSpec.of(run.config().teacher.filters, run.data().task(), run.data().channels(),
                run.data().numClasses(), run.data().height(), run.data().width()));
    }

    /** A made-up validation metric that grows with the parameters, and the names of the candidates "trained". */
    private static ArchitectureSearch.CandidateTrainer fake(List<String> trained) {
        return (name, graph, epochs) -> {
            trained.add(name);
            double metric = 0.2 + 0.05 * Math.log10(graph.numParams());
            graph.close();
            return metric;
        };
    }

    @Test
    void searchRecordsEveryRolloutTrainsEachArchitectureOnceAndWritesItsReport(@TempDir Path dir) throws Exception {
        try (Run run = Run.start(tinySearch(dir), "test", new StopSignal())) {
            List<String> trained = new ArrayList<>();
            ArchitectureSearch.Result r = new ArchitectureSearch(run, teacher(run), fake(trained)).run(false);
            assertEquals(8, r.rollouts().size(), "2 stages x 2 iterations x 2 rollouts");
            long distinct = r.candidates().stream().filter(Candidate::done).count();
            assertEquals(distinct, trained.size(), "each distinct architecture trained once: " + trained);
            assertEquals(ArchitectureSearch.Stage.REFERENCE, r.reference().stage());
            assertEquals(UNetArchitecture.of(UNetSpec.of(List.of(2, 4), run.data().task(), 3, 6, 16, 16)).describe(),
                    r.reference().architecture().describe(), "the config's hand-designed student");
            long teacherParams = teacher(run).numParams();
            for (Candidate c : r.candidates()) {
                ComputationGraph built = UNetFactory.build(ArchitectureSearch.candidateSpec(run, c.architecture()),
                        c.architecture());
                assertEquals(built.numParams(), c.parameters(), "exact parameter count of " + c.architecture().describe());
                assertEquals(Reward.of(c.parameters(), teacherParams, c.metric(), r.table().get(0).validationMetric()),
                        c.reward(), 1e-9);
                assertTrue(c.fileBytes() > 4 * c.parameters() && c.msPerImage() > 0, c.toString());
            }
            for (Rollout rollout : r.rollouts()) {
                if (rollout.candidate() != null) {
                    assertEquals(r.candidates().get(rollout.candidate()).reward(), rollout.reward());
                }
            }
            assertTrue(r.best().done() && r.best().stage() != ArchitectureSearch.Stage.REFERENCE);
            for (String file : List.of("candidates.csv", "candidates.json", "rollouts.csv", "rollouts.json",
                    "search-state.json", "policies.zip", "best-config.yaml", "summary.md", "plots/reward.png",
                    "plots/pareto.png")) {
                assertTrue(Files.isRegularFile(r.runDir().resolve(file)), "missing " + file);
            }
            assertEquals(r.candidates().size() + 1, Files.readAllLines(r.runDir().resolve("candidates.csv")).size());
            // the best architecture is a ready student: the YAML loads and builds the same network
            RunConfig best = RunConfigs.load(r.bestConfig(), List.of());
            assertEquals(r.best().architecture(), best.student.architecture);
            assertEquals(r.best().parameters(), UNetFactory.build(ArchitectureSearch.candidateSpec(run,
                    best.student.architecture), best.student.architecture).numParams());
            assertTrue(r.summary().contains("hand-designed student"), r.summary());
        }
    }

    @Test
    void resumeKeepsFinishedCandidatesAndThePolicies(@TempDir Path dir) {
        RunConfig config = tinySearch(dir);
        Path runDir;
        List<String> first = new ArrayList<>();
        try (Run run = Run.start(config, "test", new StopSignal())) {
            runDir = run.folder().dir();
            ArchitectureSearch.CandidateTrainer real = fake(first);
            // Ctrl-C during the fourth new candidate
            ArchitectureSearch.CandidateTrainer stops = (name, graph, epochs) -> {
                if (first.size() == 3) {
                    throw new RunInterruptedException("stopped");
                }
                return real.train(name, graph, epochs);
            };
            assertThrows(RunInterruptedException.class, () -> new ArchitectureSearch(run, teacher(run), stops).run(false));
        }
        assertEquals(3, first.size());
        List<String> second = new ArrayList<>();
        ArchitectureSearch.Result resumed;
        try (Run run = Run.resume(runDir, "test", new StopSignal())) {
            resumed = new ArchitectureSearch(run, teacher(run), fake(second)).run(true);
        }
        for (String name : first) {
            assertFalse(second.contains(name), name + " was finished before the stop and is not retrained: " + second);
        }
        assertEquals(8, resumed.rollouts().size());

        // the same search without the interruption samples the same rollouts: resume changed nothing
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ArchitectureSearch.Result straight = new ArchitectureSearch(run, teacher(run), fake(new ArrayList<>()))
                    .run(false);
            assertEquals(straight.rollouts(), resumed.rollouts());
            assertEquals(straight.best().architecture(), resumed.best().architecture());
        }
    }

    @Test
    void aFailingCandidateIsRecordedAndTheSearchGoesOnAndRandomSearchLeavesThePoliciesAlone(@TempDir Path dir) {
        RunConfig config = tinySearch(dir);
        config.search.strategy = RunConfig.SearchConfig.Strategy.RANDOM;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ArchitectureSearch.CandidateTrainer real = fake(new ArrayList<>());
            ArchitectureSearch.CandidateTrainer failsOnSecond = (name, graph, epochs) -> {
                if (name.equals("candidate-001")) {
                    throw new IllegalStateException("simulated failure");
                }
                return real.train(name, graph, epochs);
            };
            ArchitectureSearch.Result r = new ArchitectureSearch(run, teacher(run), failsOnSecond).run(false);
            Candidate failed = r.candidates().get(1);
            assertEquals(Candidate.Status.FAILED, failed.status());
            assertTrue(failed.error().contains("simulated failure"));
            assertEquals(Reward.VIOLATION, failed.reward());
            assertEquals(8, r.rollouts().size(), "the search went on");
            assertTrue(r.best().id() != 1);
            Policy[] after = ArchitectureSearch.readPolicies(r.runDir().resolve(ArchitectureSearch.POLICIES));
            Policy fresh = Policy.removal(config.seed, config.search.policyUnits,
                    new org.nd4j.linalg.learning.config.Adam(config.search.policyLearningRate),
                    org.nd4j.linalg.api.buffer.DataType.FLOAT);
            assertEquals(fresh.network().params(), after[0].network().params(), "random search trains no policy");
        }
    }

    @Test
    void maxParamsIsNeverExceededAndAnImpossibleConstraintFailsBeforeTraining(@TempDir Path dir) {
        RunConfig config = tinySearch(dir);
        config.search.maxParams = 2_000L;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            ArchitectureSearch.Result r = new ArchitectureSearch(run, teacher(run), fake(new ArrayList<>())).run(false);
            assertTrue(r.best().parameters() <= 2_000, r.best().toString());
            for (Candidate c : r.candidates()) {
                assertEquals(c.parameters() > 2_000, c.status() == Candidate.Status.VIOLATED, c.toString());
                if (c.status() == Candidate.Status.VIOLATED) {
                    assertEquals(Reward.VIOLATION, c.reward());
                    assertTrue(c.error().contains("parameters > max 2,000"), c.error());
                }
            }
        }
        RunConfig impossible = tinySearch(dir.resolve("impossible"));
        impossible.search.maxParams = 10L;
        try (Run run = Run.start(impossible, "test", new StopSignal())) {
            List<String> trained = new ArrayList<>();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ArchitectureSearch(run, teacher(run), fake(trained)).run(false));
            assertTrue(e.getMessage().contains("no architecture of the search space meets the constraints"),
                    e.getMessage());
            assertTrue(trained.isEmpty());
            assertFalse(Files.exists(run.folder().resolve(ArchitectureSearch.CANDIDATES)));
        }
    }

    @Test
    void aHandDesignedStudentAboveTheConstraintsIsNamedAsSuchInTheSummaryNotComparedAsNaN(@TempDir Path dir) {
        try (Run run = Run.start(tinySearch(dir), "test", new StopSignal())) {
            long handDesigned = UNetFactory.build(UNetSpec.of(run.config().student.filters, run.data().task(),
                    run.data().channels(), run.data().numClasses(), run.data().height(), run.data().width())).numParams();
            run.config().search.maxParams = handDesigned - 1;
            ArchitectureSearch.Result r = new ArchitectureSearch(run, teacher(run), fake(new ArrayList<>())).run(false);
            Candidate reference = r.candidates().stream().filter(c -> c.stage() == ArchitectureSearch.Stage.REFERENCE)
                    .findFirst().orElseThrow();
            assertEquals(Candidate.Status.VIOLATED, reference.status(), reference.toString());
            assertFalse(r.summary().contains("NaN"), r.summary());
            assertTrue(r.summary().contains(String.format(java.util.Locale.ROOT, "The hand-designed student has no"
                    + " metric to compare with: it breaks the constraints (%,d parameters > max %,d)", handDesigned,
                    handDesigned - 1)), r.summary());
        }
    }

    @Test
    void savedPoliciesStartANewSearchOnAnotherTeacherAndBadInputIsAClearError(@TempDir Path dir) {
        Path policies;
        try (Run run = Run.start(tinySearch(dir), "test", new StopSignal())) {
            policies = new ArchitectureSearch(run, teacher(run), fake(new ArrayList<>())).run(false).runDir()
                    .resolve(ArchitectureSearch.POLICIES);
        }
        Policy[] saved = ArchitectureSearch.readPolicies(policies);
        // a wider teacher with one level more: the policies read any number of layers
        RunConfig wider = tinySearch(dir.resolve("wider"));
        wider.teacher.filters = List.of(6, 12, 24);
        wider.search.policy = policies.toString();
        wider.search.removalIterations = 1;
        wider.search.shrinkageIterations = 1;
        try (Run run = Run.start(wider, "test", new StopSignal())) {
            ArchitectureSearch.Result r = new ArchitectureSearch(run, teacher(run), fake(new ArrayList<>())).run(false);
            assertEquals(4, r.rollouts().size());
            Policy[] after = ArchitectureSearch.readPolicies(r.runDir().resolve(ArchitectureSearch.POLICIES));
            assertEquals(saved[0].network().numParams(), after[0].network().numParams());
            assertFalse(saved[0].network().params().equals(after[0].network().params()),
                    "the loaded policy went on learning");
        }

        RunConfig mismatch = tinySearch(dir.resolve("mismatch"));
        mismatch.search.policy = policies.toString();
        mismatch.search.widths = List.of(0.5, 1.0);
        try (Run run = Run.start(mismatch, "test", new StopSignal())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ArchitectureSearch(run, teacher(run), fake(new ArrayList<>())).run(false));
            assertTrue(e.getMessage().contains("10 widths") && e.getMessage().contains("2 [0.5, 1.0]"), e.getMessage());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ArchitectureSearch.readPolicies(dir.resolve("nope.zip")));
        assertTrue(missing.getMessage().contains("nope.zip"), missing.getMessage());

        try (Run run = Run.start(tinySearch(dir.resolve("foreign")), "test", new StopSignal())) {
            ComputationGraph foreign = new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration
                    .Builder().graphBuilder().addInputs("in").addLayer("out",
                            new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(3).nOut(6).build(), "in")
                    .setOutputs("out").build());
            foreign.init();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ArchitectureSearch(run, foreign, fake(new ArrayList<>())));
            assertTrue(e.getMessage().contains("not a distill4j U-Net"), e.getMessage());
            assertNotNull(run.folder().resolve("config.yaml"), "the run folder is untouched");
        }
    }
}
