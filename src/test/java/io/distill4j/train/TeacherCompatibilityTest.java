package io.distill4j.train;

import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recorded command tells a student only for commands that train students alone. */
class TeacherCompatibilityTest {

    private static Path teacher(Path dir, String command) {
        Path file = dir.resolve(command.replace(' ', '_') + ".zip");
        ModelFiles.save(UNetFactory.build(UNetSpec.of(List.of(4, 8), Task.SEGMENTATION, 3, 6, 16, 16)), file, null,
                Map.of(Run.ENTRY_PROVENANCE, "{\"command\":\"" + command + "\"}"));
        return file;
    }

    @Test
    void aTeacherTrainedByAnExperimentOrASearchIsNotTakenForAStudent(@TempDir Path dir) {
        try (Run run = Run.start(TinyRuns.segmentation(dir), "test", new StopSignal())) {
            for (String command : List.of("experiment --model student", "search --model student", "train --model teacher")) {
                Path file = teacher(dir, command);
                assertEquals(List.of(), TeacherCompatibility.check(ModelFiles.load(file), file, run.data(), run.config()),
                        command);
            }
            for (String command : List.of("train --model student", "distill", "tune --epochs 2")) {
                Path file = teacher(dir, command);
                List<String> warnings = TeacherCompatibility.check(ModelFiles.load(file), file, run.data(), run.config());
                assertTrue(warnings.size() == 1 && warnings.get(0).contains("was trained as a student (`" + command),
                        command + ": " + warnings);
            }
        }
    }
}
