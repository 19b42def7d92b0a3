package io.distill4j.cli;

import io.distill4j.model.Backends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code info} reports on the default CPU/oneDNN backend (skipped on another backend). */
class InfoCommandTest {

    @BeforeAll
    static void onTheCpuWithOneDnn() {
        Backends.assumeCpuWithOneDnn();
    }

    @Test
    void reportsBackendVersionsAndTheFastPath() {
        InfoCommand.Info info = new InfoCommand().run();
        assertEquals("1.0.0-M2.1", info.get("deeplearning4j"));
        assertEquals("true", info.get("onednn helpers active"));
        assertEquals("true", info.get("distill4j onednn convolutions"));
        assertEquals("true", info.get("dl4j helpers enabled"));
        assertTrue(info.get("blas").startsWith("OPENBLAS"), info.get("blas"));
        assertNotEquals("null", info.get("omp threads"));
        assertEquals(0, Distill4j.run("info"));
    }
}
