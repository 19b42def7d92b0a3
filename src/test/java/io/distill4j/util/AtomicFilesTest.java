package io.distill4j.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {

    @Test
    void aCrashMidWriteLeavesThePreviousFileIntact(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("model.zip");
        AtomicFiles.write(target, f -> Files.writeString(f, "good model"));
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, f -> {
            Files.writeString(f, "half a mod");
            throw new IOException("simulated crash");
        }));
        assertEquals("good model", Files.readString(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }
}
