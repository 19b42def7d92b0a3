package io.distill4j.model;

import io.distill4j.util.AtomicFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Saves and loads models with DL4J's {@link ModelSerializer}. Saving is atomic ({@link AtomicFiles}): a crash
 * mid-write never leaves a half-written model where a good one was.
 */
public final class ModelFiles {

    /** Prefix of distill4j's own entries in a model zip (flat: DL4J's loader rejects directory entries). */
    public static final String EXTRA_PREFIX = "distill4j-";

    private ModelFiles() {
    }

    /** Saves the graph with its updater state (so training can resume) and, if given, its input normalizer. */
    public static void save(ComputationGraph graph, Path target, DataNormalization normalizer) {
        save(graph, target, normalizer, Map.of());
    }

    /**
     * As {@link #save(ComputationGraph, Path, DataNormalization)}, plus text entries stored in the zip under
     * {@value #EXTRA_PREFIX} (e.g. the provenance and config that made the model).
     */
    public static void save(ComputationGraph graph, Path target, DataNormalization normalizer,
                            Map<String, String> entries) {
        AtomicFiles.write(target, temp -> {
            ModelSerializer.writeModel(graph, temp.toFile(), true);
            if (normalizer != null) {
                ModelSerializer.addNormalizerToModel(temp.toFile(), normalizer);
            }
            if (!entries.isEmpty()) {
                addEntries(temp, entries);
            }
        });
    }

    /**
     * Rewrites a zip with extra text entries. Not through the JDK's zip file system: on a full disk it prints a stack
     * trace per entry, skips the entry and leaves a {@code zipfstmp*.tmp} behind; here any write error is thrown.
     */
    private static void addEntries(Path zipFile, Map<String, String> entries) throws IOException {
        Path rewritten = Files.createTempFile(zipFile.toAbsolutePath().getParent(), "." + zipFile.getFileName(), ".tmp");
        try {
            try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(
                    new java.io.BufferedInputStream(Files.newInputStream(zipFile)));
                 java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(
                         new java.io.BufferedOutputStream(Files.newOutputStream(rewritten)))) {
                for (java.util.zip.ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    String name = entry.getName();
                    if (name.startsWith(EXTRA_PREFIX) && entries.containsKey(name.substring(EXTRA_PREFIX.length()))) {
                        continue; // replaced below
                    }
                    out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    out.putNextEntry(new java.util.zip.ZipEntry(EXTRA_PREFIX + e.getKey()));
                    out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
            Files.move(rewritten, zipFile, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(rewritten);
        }
    }

    /** A text entry stored by {@link #save(ComputationGraph, Path, DataNormalization, Map)}, if present. */
    public static Optional<String> readEntry(Path modelFile, String name) {
        try (FileSystem zip = FileSystems.newFileSystem(modelFile)) {
            Path entry = zip.getPath(EXTRA_PREFIX + name);
            return Files.exists(entry) ? Optional.of(Files.readString(entry, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + name + " from model file " + modelFile + ": " + e, e);
        }
    }

    /** As {@link #readEntry}, but empty (instead of an error) for a file that is not a readable zip. */
    public static Optional<String> readEntryIfReadable(Path modelFile, String name) {
        try {
            return readEntry(modelFile, name);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Loads a graph saved by {@link #save}, with its updater state; the error names the file. */
    public static ComputationGraph load(Path file) {
        Acceleration.ensureConfigured();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file);
        }
        try {
            return ModelSerializer.restoreComputationGraph(file.toFile(), true);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read model file " + file + " (not a DL4J ComputationGraph zip?): "
                    + e.getMessage(), e);
        }
    }

    /** The normalizer stored in a model zip, or null if there is none. */
    public static DataNormalization loadNormalizer(Path file) {
        try {
            return ModelSerializer.restoreNormalizerFromFile(file.toFile());
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the normalizer in " + file + ": " + e.getMessage(), e);
        }
    }
}
