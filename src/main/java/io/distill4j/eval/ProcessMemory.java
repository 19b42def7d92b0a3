package io.distill4j.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as Linux reports it ({@code /proc/self/status}). Resident memory, not the Java
 * heap, is what matters here: ND4J keeps its arrays off-heap. Elsewhere both methods answer -1 / false.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {
    }

    /** Peak resident set size in bytes since start or the last {@link #resetPeak()} (VmHWM), or -1. */
    public static long peakResidentBytes() {
        return statusKilobytes("VmHWM:") * 1024;
    }

    /** Current resident set size in bytes (VmRSS), or -1. */
    public static long residentBytes() {
        return statusKilobytes("VmRSS:") * 1024;
    }

    /** Resets the peak to the current resident size (Linux ≥ 4.0: "5" to clear_refs); false where unsupported. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long statusKilobytes(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or a format we do not know: report unknown
        }
        return -1;
    }
}
