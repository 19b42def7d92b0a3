package io.distill4j.eval;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class JvmActivityTest {

    /** Kept in a field so the JIT cannot drop the allocation. */
    private static volatile byte[] kept;

    @Test
    void countsTheHeapThisThreadAllocates() {
        long before = JvmActivity.allocatedByThisThread();
        assumeTrue(before >= 0, "this JVM does not count per-thread allocation");
        kept = new byte[8 << 20];
        long allocated = JvmActivity.allocatedByThisThread() - before;
        assertTrue(allocated >= 8 << 20 && allocated < 9 << 20, "allocated " + allocated + " bytes");
        assertEquals(8 << 20, kept.length);
    }

    @Test
    void readsTheCompilerThreadsCpuTimeOnLinux() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "not Linux");
        long millis = JvmActivity.compilerThreadMillis();
        assertTrue(millis >= 0, "the JIT compiler threads are there (C1/C2) and readable: " + millis);
        assertTrue(JvmActivity.compilerMillis() >= millis);
        assertTrue(JvmActivity.collectorPauseMillis() >= 0);
    }

    /** utime and stime are fields 14 and 15; a thread name may hold spaces and parentheses. */
    @Test
    void parsesUserAndSystemTicksAfterTheThreadName() {
        String stat = "4242 (C2 (x) Compil) S 1 4200 4200 0 -1 1077936192 10 0 0 0 731 29 0 0 20 0 35 0 900 0 0";
        assertEquals(760, JvmActivity.cpuTicks(stat));
    }
}
