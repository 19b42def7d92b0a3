package io.distill4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunFolderTest {

    private static final Logger log = LoggerFactory.getLogger(RunFolderTest.class);
    private static final Logger other = LoggerFactory.getLogger("org.example.SomeLibrary");

    @Test
    void runLogGetsThisRunsEventsAndThoseOfThreadsItStartsUntilClosed(@TempDir Path dir) throws Exception {
        RunFolder first = RunFolder.create(dir, "first");
        RunFolder second = RunFolder.create(dir, "second");
        try (AutoCloseable ignored = first.logToFile()) {
            log.info("first: on the run's thread");
            Thread worker = new Thread(() -> log.info("first: on a thread the run started"));
            worker.start();
            worker.join();
            other.info("first: another library's info");
            other.warn("first: another library's warning");
            try (AutoCloseable inner = second.logToFile()) {
                log.info("second: a run opened inside the first");
            }
            log.info("first: after the inner run closed");
        }
        log.info("after both runs closed");
        String firstLog = Files.readString(first.resolve(RunFolder.LOG));
        String secondLog = Files.readString(second.resolve(RunFolder.LOG));
        assertTrue(firstLog.contains("first: on the run's thread"), firstLog);
        assertTrue(firstLog.contains("first: on a thread the run started"), firstLog);
        assertTrue(firstLog.contains("first: another library's warning"), firstLog);
        assertFalse(firstLog.contains("another library's info"), "other libraries stay at WARN: " + firstLog);
        assertTrue(firstLog.contains("first: after the inner run closed"), firstLog);
        assertFalse(firstLog.contains("second:") || firstLog.contains("after both"), firstLog);
        assertTrue(secondLog.contains("second: a run opened inside the first"), secondLog);
        assertFalse(secondLog.contains("first:") || secondLog.contains("after both"), secondLog);
    }
}
