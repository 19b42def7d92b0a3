package io.distill4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class InfoCommandTest {

    @Test
    void reportsBackendVersionsAndTheFastPath() {
        InfoCommand.Info info = new InfoCommand().run();
        assertEquals("1.0.0-M2.1", info.get("deeplearning4j"));
        assertEquals("true", info.get("onednn helpers active"));
        assertEquals("true", info.get("dl4j helpers enabled"));
        assertNotEquals("unknown", info.get("blas"));
        assertEquals(0, Distill4j.run("info"));
    }
}
