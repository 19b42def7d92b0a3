package io.distill4j.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.distill4j.cli.ResumeTest.tiny;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Promoted model names say what the model is, and replacing a promoted model is said, never silent. */
@Tag("e2e")
class PromotionTest {

    @Test
    void distilledAndScratchStudentsOfOneConfigKeepTheirOwnFiles(@TempDir Path dir) throws IOException {
        TrainCommand.Result teacher = TrainCommand.run(tiny(dir, "--model", "teacher", "--name", "p"));
        assertEquals(dir.resolve("models/p-teacher.zip"), teacher.promoted());
        TrainCommand.Result distilled = DistillCommand.run(tiny(dir, "--name", "p", "--teacher",
                teacher.promoted().toString()));
        TrainCommand.Result scratch = TrainCommand.run(tiny(dir, "--model", "student", "--name", "p"));

        assertEquals(dir.resolve("models/p-student-distilled.zip"), distilled.promoted());
        assertEquals(dir.resolve("models/p-student-scratch.zip"), scratch.promoted());
        assertNotEquals(Files.size(distilled.promoted()), -1);
        assertTrue(Files.isRegularFile(dir.resolve("models/p-student-distilled.card.md")));
        assertTrue(Files.isRegularFile(dir.resolve("models/p-student-scratch.card.md")));
        assertFalse(Files.readString(scratch.runDir().resolve("run.log")).contains("replaces"),
                "a first promotion replaces nothing");

        TrainCommand.Result again = TrainCommand.run(tiny(dir, "--model", "student", "--name", "p"));
        String log = Files.readString(again.runDir().resolve("run.log"));
        assertTrue(log.contains("p-student-scratch.zip replaces") && log.contains(scratch.runDir().toString()),
                "the replacement is said, with the run that made the replaced model:\n" + log);
    }
}
