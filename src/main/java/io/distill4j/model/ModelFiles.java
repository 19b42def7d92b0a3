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
                try (FileSystem zip = FileSystems.newFileSystem(temp)) {
                    for (Map.Entry<String, String> e : entries.entrySet()) {
                        Path entry = zip.getPath(EXTRA_PREFIX + e.getKey());
                        Files.writeString(entry, e.getValue(), StandardCharsets.UTF_8);
                    }
                }
            }
        });
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
