package io.distill4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {

    @Test
    void reportsBackendVersionsAndTheFastPath() {
        InfoCommand.Info info = new InfoCommand().run();
        assertEquals("1.0.0-M2.1", info.get("deeplearning4j"));
        assertEquals("true", info.get("onednn helpers active"));
        assertEquals("true", info.get("dl4j helpers enabled"));
        assertTrue(info.get("blas").startsWith("OPENBLAS"), info.get("blas"));
        assertNotEquals("null", info.get("omp threads"));
        assertEquals(0, Distill4j.run("info"));
    }
}
