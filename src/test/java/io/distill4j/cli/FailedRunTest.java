package io.distill4j.cli;

import io.distill4j.data.DatasetException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.distill4j.cli.ResumeTest.tiny;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failed runs leave no debris: bad config or data makes no run folder, errors reach run.log, stale temporaries go. */
@Tag("e2e")
class FailedRunTest {

    @Test
    void badDataMakesNoRunFolder(@TempDir Path dir) throws IOException {
        DatasetException e = assertThrows(DatasetException.class, () -> TrainCommand.run("--set",
                "data={type: image-folders, path: " + dir.resolve("no-such-folder") + "}",
                "--runs-dir", dir.resolve("runs").toString()));
        assertTrue(e.getMessage().contains("no-such-folder"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("runs")) && listed(dir.resolve("runs")) > 0, "no run folder was left");
    }

    @Test
    void anIncompatibleTeacherMakesNoRunFolder(@TempDir Path dir) {
        Path teacher = TeacherMismatchTest.save(dir, "cls", io.distill4j.data.Task.CLASSIFICATION, java.util.List.of(4, 8), 6);
        assertThrows(IllegalArgumentException.class, () -> DistillCommand.run(tiny(dir, "--teacher", teacher.toString())));
        assertFalse(Files.exists(dir.resolve("runs")) && listed(dir.resolve("runs")) > 0, "no run folder was left");
    }

    @Test
    void anIoErrorIsOneLineOnTheConsoleAndInRunLogWithItsTrace(@TempDir Path dir) throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("models-is-a-file"), "x");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train"));
            args.addAll(java.util.List.of(tiny(dir, "--model", "student", "--name", "io")));
            args.set(args.indexOf("--models-dir") + 1, notAFolder.toString());
            code = Distill4j.run(args.toArray(new String[0]));
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        String console = err.toString().strip();
        assertEquals(1, console.lines().count(), console);
        assertTrue(console.startsWith("error: ") && console.contains("models-is-a-file"), console);
        Path run;
        try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
            run = runs.findFirst().orElseThrow();
        }
        String log = Files.readString(run.resolve("run.log"));
        assertTrue(log.contains("ERROR") && log.contains("models-is-a-file") && log.contains("\tat "), log);
    }

    @Test
    void staleTemporaryFilesOfAKilledRunAreRemovedOnResume(@TempDir Path dir) throws IOException {
        TrainCommand.Result first = TrainCommand.run(tiny(dir, "--model", "student", "--name", "tmp"));
        Path run = first.runDir();
        Path atomicTemp = Files.writeString(run.resolve("checkpoints/.student.zip4711.tmp"), "half a zip");
        Path zipTemp = Files.writeString(run.resolve("checkpoints/zipfstmp815.tmp"), "half a zip");
        Path unrelated = Files.writeString(run.resolve("notes.tmp"), "the user's");
        TrainCommand.run("--resume", run.toString());
        assertFalse(Files.exists(atomicTemp));
        assertFalse(Files.exists(zipTemp));
        assertTrue(Files.exists(unrelated), "only distill4j's own temporaries are removed");
    }

    private static long listed(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
