package io.distill4j.train;

import io.distill4j.util.Versions;
import io.distill4j.model.Acceleration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How a model or run was made (Tribuo-style): enough to reproduce it with the stored config.
 *
 * @param command the command line, or how the run was started
 */
public record Provenance(String createdAt, String gitCommit, boolean gitDirty, String distill4jVersion,
                         String javaVersion, String dl4jVersion, String backend, String blas, boolean oneDnnActive,
                         long seed, String datasetName, String datasetFingerprint, String command) {

    public static Provenance capture(long seed, String datasetName, String datasetFingerprint, String command) {
        String commit = git("rev-parse", "HEAD");
        String status = git("status", "--porcelain", "--untracked-files=no");
        return new Provenance(Instant.now().toString(), commit == null ? "unknown" : commit,
                status != null && !status.isBlank(), Versions.distill4j(), System.getProperty("java.version"),
                Versions.dl4j(), Acceleration.backend(), String.valueOf(Acceleration.environment().get("blas.vendor")),
                Acceleration.oneDnnActive(), seed, datasetName, datasetFingerprint, command);
    }

    /** Output of a git command in the working directory, or null when git or the repository is absent. */
    private static String git(String... args) {
        try {
            Process p = new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of("git"),
                    List.of(args).stream()).toList()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
