package io.distill4j.eval;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the JVM does beside a step, as its management beans count it: the Java heap the step's thread allocates (ND4J
 * keeps arrays off-heap, but each array's Java wrapper, shape buffer and deallocation record is garbage), the garbage
 * collectors' pauses, and the JIT compilers' time. On a process pinned to one core the compiler threads share the
 * step's core: C2 compiling DL4J's graph code took up to a third of it for seconds at a time beside the student's
 * inference, slowing repetitions whose own thread's CPU time did not change.
 */
final class JvmActivity {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** Linux reports thread CPU time in ticks of USER_HZ, 100 on every ABI the JVM runs on. */
    private static final long USER_HZ = 100;

    private JvmActivity() {
    }

    /** Bytes the calling thread has allocated since it started, or -1 where the JVM does not count them. */
    static long allocatedByThisThread() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean counting
                && counting.isThreadAllocatedMemorySupported() && counting.isThreadAllocatedMemoryEnabled()) {
            return counting.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    /** Milliseconds every collector has paused the JVM for since it started, or -1 where one does not say. */
    static long collectorPauseMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            long millis = collector.getCollectionTime();
            if (millis < 0) {
                return -1;
            }
            sum += millis;
        }
        return sum;
    }

    /**
     * CPU milliseconds the JIT compiler threads have used: Linux's per-thread counters ({@link #compilerThreadMillis})
     * where they exist, else the JVM's count of finished compilations, or -1 where neither does.
     */
    static long compilerMillis() {
        long threads = compilerThreadMillis();
        if (threads >= 0) {
            return threads;
        }
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        return compiler != null && compiler.isCompilationTimeMonitoringSupported()
                ? compiler.getTotalCompilationTime() : -1;
    }

    /**
     * CPU milliseconds of the JIT compiler threads from {@code /proc/self/task/<tid>/stat}, or -1 without it. These
     * include a compilation still running, which the JVM's own count adds only once it ends: up to a second later for
     * DL4J's graph methods.
     */
    static long compilerThreadMillis() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            long ticks = 0;
            for (Path task : tasks) {
                try {
                    // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", ... (Linux keeps 15 characters)
                    if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        ticks += cpuTicks(Files.readString(task.resolve("stat")));
                    }
                } catch (IOException e) {
                    // the thread ended while being read
                }
            }
            return ticks * 1000 / USER_HZ;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** User plus system ticks from a {@code stat} line: fields 14 and 15, counted after the parenthesised name. */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
