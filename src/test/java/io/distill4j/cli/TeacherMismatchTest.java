package io.distill4j.cli;

import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.distill4j.cli.ResumeTest.tiny;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A teacher of the wrong task is named as such, before any class count; a student passed as teacher is warned of. */
@Tag("e2e")
class TeacherMismatchTest {

    static Path save(Path dir, String name, Task task, List<Integer> filters, int classes) {
        Path file = dir.resolve(name + ".zip");
        ModelFiles.save(UNetFactory.build(UNetSpec.of(filters, task, 3, classes, 16, 16)), file, null);
        return file;
    }

    @Test
    void aClassificationTeacherOnSegmentationDataIsNamedAsSuch(@TempDir Path dir) {
        Path teacher = save(dir, "cls", Task.CLASSIFICATION, List.of(4, 8), 6);
        String message = assertThrows(IllegalArgumentException.class,
                () -> DistillCommand.run(tiny(dir, "--teacher", teacher.toString()))).getMessage();
        assertTrue(message.contains("the teacher is a classification model, the data is segmentation"), message);
    }

    @Test
    void aSegmentationTeacherOnClassificationDataIsNamedAsSuch(@TempDir Path dir) {
        Path teacher = save(dir, "seg", Task.SEGMENTATION, List.of(4, 8), 6);
        String message = assertThrows(IllegalArgumentException.class, () -> DistillCommand.run(tiny(dir,
                "--config", "configs/landcover-patches.yaml", "--teacher", teacher.toString()))).getMessage();
        assertTrue(message.contains("the teacher is a segmentation model, the data is classification"), message);
    }

    @Test
    void aStudentPassedAsTeacherIsWarnedOf(@TempDir Path dir) throws IOException {
        Path student = save(dir, "student-as-teacher", Task.SEGMENTATION, List.of(2, 4), 6);
        TrainCommand.Result r = DistillCommand.run(tiny(dir, "--teacher", student.toString()));
        String log = Files.readString(r.runDir().resolve("run.log"));
        assertTrue(log.contains("WARN") && log.contains("no larger than the student"), log);
    }
}
