package io.distill4j.workflows;

import io.distill4j.config.ConfigException;
import io.distill4j.config.RunConfig;
import io.distill4j.train.TinyRuns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training workflows through the typed API: configs set field by field, no argument strings. */
class TrainingWorkflowsTest {

    @Test
    void aConfigChangedFieldByFieldIsCheckedBeforeAnyRunFolderIsMade(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.distillation.alpha = 1.5;
        String message = assertThrows(ConfigException.class,
                () -> Training.run(Training.Options.of(config, Training.Network.STUDENT))).getMessage();
        assertTrue(message.contains("distillation.alpha = 1.5") && message.contains("[0, 1]"), message);
        assertFalse(Files.exists(dir.resolve("runs")), "nothing written");
        assertThrows(IllegalArgumentException.class, () -> new RunSource(config, dir, new io.distill4j.train.StopSignal(), null),
                "a run is new or resumed, not both");
        String noTeacher = assertThrows(IllegalArgumentException.class,
                () -> Distillation.run(TeacherRun.of(TinyRuns.segmentation(dir), null))).getMessage();
        assertTrue(noTeacher.contains("no teacher"), noTeacher);
        assertThrows(IllegalArgumentException.class, () -> Experiments.Options.of(TinyRuns.segmentation(dir), null,
                java.util.List.of(Experiments.MethodChoice.preset("kd")), 1), "a confidence interval needs 2 seeds");
    }

    @Test
    @Tag("e2e")
    void theDemoComparesItsThreeModels(@TempDir Path dir) throws Exception {
        RunConfig config = TinyRuns.segmentation(dir);
        config.training.epochs = 1;
        config.output.mosaics = 0;
        Demo.Result demo = Demo.run(RunSource.of(config));
        assertEquals(3, demo.table().rows().size(), demo.table().toMarkdown());
        assertTrue(demo.verdict().contains("(distilled)"), demo.verdict());
        String report = RunReportsTest.checkedReport(demo.runDir());
        assertTrue(report.contains(demo.verdict()) && report.contains("## student-distilled")
                && report.contains("plots/student-scratch-loss.png"), report);
        assertTrue(Files.isRegularFile(dir.resolve("models/tiny-student-distilled.zip")));
    }
}
