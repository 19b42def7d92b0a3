package io.distill4j.tune;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Task;
import io.distill4j.loss.DistillationTerm;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TinyRuns;
import io.distill4j.train.TrainedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExperimentTest {

    private static Experiment.RunRecord r(String method, long seed, double score) {
        return new Experiment.RunRecord(method, seed, score, score, 1, 1);
    }

    @Test
    void pairedStatisticsMatchValuesComputedByHand() {
        List<Experiment.Method> methods = List.of(new Experiment.Method("scratch", null),
                new Experiment.Method("kd", List.of(DistillationTerm.Kd.of(0.5, 2))));
        // differences kd − scratch: 0.02, 0.04, 0.03 → mean 0.03, sd 0.01, t(2) 97.5% = 4.302653
        List<Experiment.RunRecord> runs = List.of(r("scratch", 1, 0.50), r("kd", 1, 0.52), r("scratch", 2, 0.40),
                r("kd", 2, 0.44), r("scratch", 3, 0.45), r("kd", 3, 0.48));
        Experiment.MethodSummary kd = Experiment.summarise(methods, runs).get(1);
        assertEquals(0.48, kd.mean(), 1e-12);
        assertEquals(0.03, kd.meanDifference(), 1e-12);
        double half = 4.302653 * 0.01 / Math.sqrt(3);
        assertEquals(0.03 - half, kd.ciLow(), 1e-6);
        assertEquals(0.03 + half, kd.ciHigh(), 1e-6);
        // t = 0.03 / (0.01 / √3) = 5.196; two-sided p with 2 degrees of freedom = 0.0351
        assertEquals(0.0351, kd.pValue(), 5e-4);
    }

    @Test
    void presetsCombineTeacherTermsWithOneHardLabelTerm() {
        RunConfig config = new RunConfig();
        Experiment.Method combined = Experiment.preset("kd+cwd+at", config, Task.SEGMENTATION);
        assertEquals(List.of(new DistillationTerm.Kd(1, config.distillation.alpha, config.distillation.temperature),
                DistillationTerm.Cwd.of(3, 4), DistillationTerm.At.of(1)), combined.terms());
        assertThrows(IllegalArgumentException.class, () -> Experiment.preset("cwd", config, Task.CLASSIFICATION));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Experiment.preset("fitnet", config,
                Task.SEGMENTATION)).getMessage().contains("unknown method 'fitnet'"));
    }

    @Test
    void runsEverySeedAndMethodAndResumesKeepingFinishedRuns(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRuns.segmentation(dir);
        config.training.epochs = 1;
        Path runDir;
        try (Run run = Run.start(config, "experiment", new StopSignal())) {
            TrainedModel teacher = run.trainFromScratch("teacher", config.teacher);
            Experiment experiment = new Experiment(run, teacher.graph());
            assertThrows(IllegalArgumentException.class, () -> experiment.run(List.of(), 1));
            Experiment.Result result = experiment.run(List.of(Experiment.preset("kd", config, Task.SEGMENTATION),
                    Experiment.preset("at", config, Task.SEGMENTATION)), 2);
            assertEquals(6, result.runs().size(), "scratch is added: 3 methods x 2 seeds");
            assertEquals(List.of("scratch", "kd", "at"), result.summaries().stream()
                    .map(Experiment.MethodSummary::method).toList());
            runDir = result.runDir();
            for (String f : List.of("experiment.csv", "experiment.json", "experiment.md", "plots/experiment.png")) {
                assertTrue(Files.size(runDir.resolve(f)) > 0, f);
            }
        }
        long modified = Files.getLastModifiedTime(runDir.resolve("kd-seed42.zip")).toMillis();
        try (Run run = Run.resume(runDir, "experiment", new StopSignal())) {
            Experiment.Result again = new Experiment(run, run.trainer().load("teacher").graph())
                    .run(List.of(Experiment.preset("kd", config, Task.SEGMENTATION),
                            Experiment.preset("at", config, Task.SEGMENTATION)), 2);
            assertEquals(6, again.runs().size());
        }
        assertEquals(modified, Files.getLastModifiedTime(runDir.resolve("kd-seed42.zip")).toMillis(),
                "a finished run is not trained again");
    }
}
