package io.distill4j.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --resume RUN_DIR} alone continues what the run folder was running: the model, the command, the teacher. */
@Tag("e2e")
class ResumeTest {

    static String[] tiny(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--epochs", "1", "--max-batches", "1", "--batch-size", "4",
                "--set", "data.height=16", "--set", "data.width=16", "--set", "data.samples=12",
                "--set", "teacher.filters=[4,8]", "--set", "student.filters=[2,4]", "--set", "output.mosaics=0",
                "--runs-dir", dir.resolve("runs").toString(), "--models-dir", dir.resolve("models").toString()));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    @Test
    void trainResumeContinuesTheStudentTheRunWasTraining(@TempDir Path dir) {
        TrainCommand.Result student = TrainCommand.run(tiny(dir, "--model", "student", "--name", "r"));
        Path run = student.runDir();

        TrainCommand.Result resumed = TrainCommand.run("--resume", run.toString());

        assertEquals("student", resumed.model().name(), "the run trained the student");
        assertFalse(Files.exists(run.resolve("teacher.zip")), "no new teacher in the student's run folder");
        IllegalArgumentException wrongModel = assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.run("--resume", run.toString(), "--model", "teacher"));
        assertTrue(wrongModel.getMessage().contains("student"), wrongModel.getMessage());
    }

    @Test
    void distillResumeNeedsNoTeacherAndTrainResumeOfADistillRunSaysWhatToRun(@TempDir Path dir) {
        TrainCommand.Result teacher = TrainCommand.run(tiny(dir, "--model", "teacher", "--name", "d"));
        TrainCommand.Result distilled = DistillCommand.run(tiny(dir, "--name", "d", "--teacher",
                teacher.promoted().toString()));
        Path run = distilled.runDir();

        TrainCommand.Result resumed = DistillCommand.run("--resume", run.toString());
        assertEquals("student", resumed.model().name());
        assertFalse(Files.exists(run.resolve("teacher.zip")));

        IllegalArgumentException wrongCommand = assertThrows(IllegalArgumentException.class,
                () -> TrainCommand.run("--resume", run.toString()));
        assertTrue(wrongCommand.getMessage().contains("distill4j distill --resume " + run), wrongCommand.getMessage());
    }
}
