package io.distill4j.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFilesTest {

    @Test
    void loadingSomethingElseNamesTheFile(@TempDir Path dir) throws IOException {
        Path notAModel = dir.resolve("notes.zip");
        Files.writeString(notAModel, "not a zip");
        String message = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(notAModel)).getMessage();
        assertTrue(message.contains(notAModel.toString()), message);
        message = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(dir.resolve("missing.zip")))
                .getMessage();
        assertTrue(message.contains("missing.zip"), message);
    }
}
