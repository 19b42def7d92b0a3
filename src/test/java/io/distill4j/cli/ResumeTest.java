package io.distill4j.cli;

import io.distill4j.search.ArchitectureSearch;
import io.distill4j.workflows.Training;
import io.distill4j.train.StopSignal;
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
        Training.Result student = Cli.parse(new TrainCommand(), tiny(dir, "--model", "student", "--name", "r")).run(new StopSignal());
        Path run = student.runDir();

        Training.Result resumed = Cli.parse(new TrainCommand(), "--resume", run.toString()).run(new StopSignal());

        assertEquals("student", resumed.model().name(), "the run trained the student");
        assertFalse(Files.exists(run.resolve("teacher.zip")), "no new teacher in the student's run folder");
        IllegalArgumentException wrongModel = assertThrows(IllegalArgumentException.class,
                () -> Cli.parse(new TrainCommand(), "--resume", run.toString(), "--model", "teacher").run(new StopSignal()));
        assertTrue(wrongModel.getMessage().contains("student"), wrongModel.getMessage());
    }

    @Test
    void distillResumeNeedsNoTeacherAndTrainResumeOfADistillRunSaysWhatToRun(@TempDir Path dir) {
        Training.Result teacher = Cli.parse(new TrainCommand(), tiny(dir, "--model", "teacher", "--name", "d")).run(new StopSignal());
        Training.Result distilled = Cli.parse(new DistillCommand(), tiny(dir, "--name", "d", "--teacher",
                teacher.promoted().toString())).run(new StopSignal());
        Path run = distilled.runDir();

        Training.Result resumed = Cli.parse(new DistillCommand(), "--resume", run.toString()).run(new StopSignal());
        assertEquals("student", resumed.model().name());
        assertFalse(Files.exists(run.resolve("teacher.zip")));

        IllegalArgumentException wrongCommand = assertThrows(IllegalArgumentException.class,
                () -> Cli.parse(new TrainCommand(), "--resume", run.toString()).run(new StopSignal()));
        assertTrue(wrongCommand.getMessage().contains("distill4j distill --resume " + run), wrongCommand.getMessage());
    }

    @Test
    void searchResumeReloadsTheTeacherFileTheSearchWasStartedWith(@TempDir Path dir) {
        Training.Result teacher = Cli.parse(new TrainCommand(), tiny(dir, "--model", "teacher", "--name", "s")).run(new StopSignal());
        String[] search = {"--rollouts", "1", "--iterations", "1", "--candidate-epochs", "1", "--final-epochs", "0",
                "--set", "search.policyUnits=4"};
        ArchitectureSearch.Result first = Cli.parse(new SearchCommand(), tiny(dir, concat(search, "--name", "s",
                "--teacher", teacher.promoted().toString()))).run(new StopSignal());
        Path run = first.runDir();

        ArchitectureSearch.Result resumed = Cli.parse(new SearchCommand(), "--resume", run.toString()).run(new StopSignal());
        assertFalse(Files.exists(run.resolve("teacher.zip")), "the resumed search trained a teacher of its own");
        assertEquals(first.candidates(), resumed.candidates(), "the same teacher gives the same finished candidates");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(new String[0]);
    }
}
