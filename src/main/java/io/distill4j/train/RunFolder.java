package io.distill4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.model.ModelFiles;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
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
        ModelFiles.writeAtomically(dir.resolve(relative), f -> Files.writeString(f, text, StandardCharsets.UTF_8));
    }

    public void writeJson(String relative, Object value) {
        writeJsonFile(dir.resolve(relative), value);
    }

    /** Writes a value as indented JSON, atomically. */
    public static void writeJsonFile(Path file, Object value) {
        ModelFiles.writeAtomically(file, f -> JSON.writeValue(f.toFile(), value));
    }

    /** Copies Log4j2 output (INFO and above) into {@code run.log} until the returned handle is closed. */
    public AutoCloseable logToFile() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        FileAppender appender = FileAppender.newBuilder()
                .setName("run-" + dir.getFileName())
                .withFileName(dir.resolve(LOG).toString())
                .withAppend(true)
                .setLayout(PatternLayout.newBuilder().withPattern("%d{ISO8601} %-5level %c{1} - %msg%n")
                        .withConfiguration(config).build())
                .setConfiguration(config)
                .build();
        appender.start();
        config.addAppender(appender);
        // On the root only: io.distill4j's INFO events reach it through additivity, other libraries' stay at WARN.
        config.getRootLogger().addAppender(appender, Level.INFO, null);
        context.updateLoggers();
        return () -> {
            config.getRootLogger().removeAppender(appender.getName());
            context.updateLoggers();
            appender.stop();
        };
    }
}
