package io.distill4j.deploy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A distill4j ONNX model run by ONNX Runtime (all graph optimisations on, so QDQ int8 models run int8 kernels). The
 * file must be one distill4j wrote ({@link OnnxExport}): its metadata says so and carries the model's distill4j
 * entries (config, class list, normaliser), which {@link DeployedModel} needs to evaluate or predict with it.
 */
public final class OnnxModel implements DeployedModel {

    private final Path file;
    private final Map<String, String> metadata;
    private final OrtSession session;
    private final String inputName;

    private OnnxModel(Path file, Map<String, String> metadata, OrtSession session) throws OrtException {
        this.file = file;
        this.metadata = metadata;
        this.session = session;
        this.inputName = session.getInputNames().iterator().next();
    }

    /** Opens a distill4j {@code .onnx} file; a file that is not one (or is truncated) is a clear error. */
    public static OnnxModel open(Path file) {
        return open(file, null);
    }

    /**
     * As {@link #open(Path)}; {@code optimizedModel} (or null) is where ONNX Runtime writes the graph it optimised,
     * e.g. to check which kernels an int8 model runs.
     */
    public static OnnxModel open(Path file, Path optimizedModel) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file);
        }
        byte[] bytes;
        Onnx.ModelProto proto;
        try {
            bytes = Files.readAllBytes(file);
            proto = Onnx.ModelProto.parseFrom(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read ONNX model " + file + " (truncated or not an ONNX file?): "
                    + e.getMessage(), e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        proto.getMetadataPropsList().forEach(p -> metadata.put(p.getKey(), p.getValue()));
        if (!OnnxExport.FORMAT.equals(metadata.get(OnnxExport.KEY_FORMAT))) {
            throw new IllegalArgumentException(file + " is not a distill4j ONNX model (no " + OnnxExport.KEY_FORMAT
                    + " metadata): export one with `distill4j export --format onnx`");
        }
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads(System.getenv("OMP_NUM_THREADS")));
            if (optimizedModel != null) {
                options.setOptimizedModelFilePath(optimizedModel.toString());
            }
            return new OnnxModel(file, metadata, OrtEnvironment.getEnvironment().createSession(bytes, options));
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * ONNX Runtime's threads: as many as ND4J's OpenMP (OMP_NUM_THREADS when set, else the cores this process may
     * use), so DL4J, ONNX Runtime and the PyTorch peer are timed with the same threads. ONNX Runtime's own default
     * counts the machine's physical cores and ignores the process's CPU affinity.
     */
    static int intraOpThreads(String ompNumThreads) {
        if (ompNumThreads != null) {
            try {
                return Math.max(1, Integer.parseInt(ompNumThreads.trim()));
            } catch (NumberFormatException e) {
                // not a number: OpenMP ignores it too
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public INDArray output(INDArray features) {
        INDArray x = features.castTo(DataType.FLOAT).dup('c');
        float[] data = x.data().asFloat();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), x.shape());
             OrtSession.Result result = session.run(Map.of(inputName, input))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer buffer = out.getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return Nd4j.create(values, out.getInfo().getShape(), 'c');
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs the model on a prepared input tensor without copying the result out (for timing the runtime alone). */
    public void run(OnnxTensor input) {
        try (OrtSession.Result ignored = session.run(Map.of(inputName, input))) {
            // the result is discarded
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> entry(String name) {
        return Optional.ofNullable(metadata.get(name));
    }

    @Override
    public DataNormalization normalizer() {
        return OnnxExport.normalizer(metadata, file);
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public String runtime() {
        return "onnxruntime";
    }

    /** The model's metadata (distill4j's entries among them). */
    public Map<String, String> metadata() {
        return Map.copyOf(metadata);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
