package io.distill4j.model;

import io.distill4j.util.AtomicFiles;
import org.apache.commons.io.output.CloseShieldOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

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
     *
     * <p>The zip is DL4J's own format ({@link ModelSerializer#writeModel(org.deeplearning4j.nn.api.Model,
     * java.io.OutputStream, boolean, DataNormalization)}'s entries, written the same way), read back by
     * {@link ModelSerializer} unchanged, but written in one pass and deflated at {@link Deflater#BEST_SPEED}: writing
     * it with {@code ModelSerializer} and then adding the normalizer and these entries rewrote and recompressed the
     * whole zip three times, 8% of a 20-epoch land-cover student run (a checkpoint every epoch; README, "Levers,
     * measured"). Float weights barely compress at any level.
     */
    public static void save(ComputationGraph graph, Path target, DataNormalization normalizer,
                            Map<String, String> entries) {
        AtomicFiles.write(target, temp -> {
            try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(temp),
                    1 << 16))) {
                zip.setLevel(Deflater.BEST_SPEED);
                zip.putNextEntry(new ZipEntry(ModelSerializer.CONFIGURATION_JSON));
                zip.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
                INDArray params = graph.params();
                if (params != null) {
                    writeArray(zip, ModelSerializer.COEFFICIENTS_BIN, params);
                } else {
                    zip.putNextEntry(new ZipEntry(ModelSerializer.NO_PARAMS_MARKER));
                }
                INDArray updaterState = graph.getUpdater().getStateViewArray();
                if (updaterState != null && updaterState.length() > 0) {
                    writeArray(zip, ModelSerializer.UPDATER_BIN, updaterState);
                }
                if (normalizer != null) {
                    zip.putNextEntry(new ZipEntry(ModelSerializer.NORMALIZER_BIN));
                    NormalizerSerializer.getDefault().write(normalizer, new CloseShieldOutputStream(zip));
                }
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(EXTRA_PREFIX + e.getKey()));
                    zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                }
                zip.closeEntry();
            }
        });
    }

    /** One array entry in {@link Nd4j#write}'s format, as {@link ModelSerializer} writes and reads it. */
    private static void writeArray(ZipOutputStream zip, String name, INDArray array) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CloseShieldOutputStream(zip), 1 << 16));
        Nd4j.write(array, out);
        out.flush();
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
            // models saved before convolutions handed their output on channels-last get it too
            return SingleForwardConvolution2D.handOnChannelsLast(
                    ModelSerializer.restoreComputationGraph(file.toFile(), true));
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
