package io.distill4j.train;

import io.distill4j.util.AtomicFiles;
import io.distill4j.util.Json;
import org.apache.logging.log4j.ThreadContext;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A run's record on disk, {@code runs/<timestamp>-<name>/}: the resolved config, provenance, per-epoch metrics,
 * plots, predictions, checkpoints, the log and the models. Every file is written atomically.
 */
public final class RunFolder {

    public static final String CONFIG = "config.yaml";
    public static final String PROVENANCE = "provenance.json";
    public static final String LOG = "run.log";
    /** The ThreadContext key that routes log events to a run's {@link #LOG} (see log4j2.xml). */
    public static final String LOG_CONTEXT_KEY = "distill4j.runLog";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** A new folder {@code <runsDir>/<timestamp>-<name>} (with a numeric suffix if that exists already). */
    public static RunFolder create(Path runsDir, String name) {
        String base = LocalDateTime.now().format(STAMP) + "-" + name;
        Path dir = runsDir.resolve(base);
        for (int i = 2; Files.exists(dir); i++) {
            dir = runsDir.resolve(base + "-" + i);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir + ": " + e.getMessage(), e);
        }
        return new RunFolder(dir);
    }

    /** An existing run folder, e.g. to resume it; it must hold the config.yaml that made it. */
    public static RunFolder open(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new IllegalArgumentException("not a run folder (no " + CONFIG + "): " + dir);
        }
        RunFolder folder = new RunFolder(dir);
        folder.removeStaleTemporaryFiles();
        return folder;
    }

    /**
     * Deletes the temporary files a killed run left behind: the atomic writers' {@code .<target><digits>.tmp} and the
     * JDK zip file system's {@code zipfstmp<digits>.tmp}. Only a run's own process writes its folder, so on reopening
     * none of them is still in use.
     */
    void removeStaleTemporaryFiles() {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(RunFolder::isStaleTemporary).toList()) {
                Files.deleteIfExists(file);
                org.slf4j.LoggerFactory.getLogger(RunFolder.class).info("removed {}, left by an interrupted run", file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean temporary files in " + dir + ": " + e.getMessage(), e);
        }
    }

    static boolean isStaleTemporary(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && name.endsWith(".tmp")
                && (name.startsWith(".") || name.matches("zipfstmp-?\\d+\\.tmp"));
    }

    /**
     * Appends a failure to a run folder's {@code run.log}, with its stack trace (the console shows its message only).
     * Called once the run's log appender is closed.
     */
    public static void appendError(Path dir, String command, Throwable error) {
        java.io.StringWriter trace = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(trace));
        String entry = java.time.LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                + " ERROR " + command + " failed: " + error.getMessage() + "\n" + trace;
        try {
            Files.writeString(dir.resolve(LOG), entry, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // a full disk: the console still shows the error
        }
    }

    public Path dir() {
        return dir;
    }

    public Path resolve(String relative) {
        return dir.resolve(relative);
    }

    /** Creates (if needed) and returns a sub-folder. */
    public Path folder(String name) {
        Path sub = dir.resolve(name);
        try {
            Files.createDirectories(sub);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + sub + ": " + e.getMessage(), e);
        }
        return sub;
    }

    public RunConfig readConfig() {
        try {
            return RunConfigs.fromYaml(Files.readString(dir.resolve(CONFIG)), dir.resolve(CONFIG).toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
    }

    public void writeText(String relative, String text) {
        AtomicFiles.writeText(dir.resolve(relative), text);
    }

    public void writeJson(String relative, Object value) {
        writeJsonFile(dir.resolve(relative), value);
    }

    /** Writes a value as indented JSON, atomically. */
    public static void writeJsonFile(Path file, Object value) {
        AtomicFiles.write(file, f -> Json.MAPPER.writeValue(f.toFile(), value));
    }

    /**
     * Copies io.distill4j's INFO events (and other libraries' warnings) of this thread, and of the threads it starts,
     * into {@code run.log} until the returned handle is closed. Through Log4j2's API only: the run log's path goes into
     * the {@link ThreadContext} under {@value #LOG_CONTEXT_KEY}, and the {@code RunLog} routing appender of the
     * shipped log4j2.xml writes there; under another logging backend there is no run.log.
     */
    public AutoCloseable logToFile() {
        String previous = ThreadContext.get(LOG_CONTEXT_KEY);
        ThreadContext.put(LOG_CONTEXT_KEY, dir.resolve(LOG).toAbsolutePath().toString());
        return () -> {
            if (previous == null) {
                ThreadContext.remove(LOG_CONTEXT_KEY);
            } else {
                ThreadContext.put(LOG_CONTEXT_KEY, previous);
            }
        };
    }
}
