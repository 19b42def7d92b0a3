package io.distill4j.deploy;

import io.distill4j.compress.CompactModelFile;
import io.distill4j.compress.Quantizer;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Dataset;
import io.distill4j.data.Datasets;
import io.distill4j.data.Split;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.Run;
import io.distill4j.util.Json;
import onnx.Onnx;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a distill4j model file (DL4J zip or compact file) as a {@code .onnx} model that runs without distill4j: the
 * metadata carries the pre-processing ({@value #KEY_PREPROCESSING}, readable JSON, and the DL4J normaliser itself),
 * the class list ({@value #KEY_CLASSES}) and distill4j's entries (config, model info, provenance). The input model is
 * only read; the output is written atomically.
 */
public final class OnnxExport {

    /** Metadata key and value that mark a distill4j ONNX model. */
    public static final String KEY_FORMAT = "distill4j.format";
    public static final String FORMAT = "distill4j-onnx-1";
    public static final String KEY_PRECISION = "distill4j.precision";
    public static final String KEY_PREPROCESSING = "preprocessing";
    public static final String KEY_CLASSES = "classes";
    /** The DL4J normaliser, base64 of what {@link NormalizerSerializer} writes. */
    public static final String KEY_NORMALIZER = "distill4j.normalizer";

    /** What the exported model computes in. */
    public enum Precision {
        FLOAT32,
        /** int8 weights and activations with ranges calibrated on training batches: ONNX Runtime runs int8 kernels. */
        INT8_STATIC,
        /** int8 weights, activations quantized per batch (DL4J's dynamic mode); convolutions run in float32. */
        INT8_DYNAMIC;

        public static Precision ofInt8(String mode) {
            if (mode == null) {
                return FLOAT32;
            }
            return switch (mode.toLowerCase(Locale.ROOT)) {
                case "static" -> INT8_STATIC;
                case "dynamic" -> INT8_DYNAMIC;
                default -> throw new IllegalArgumentException("--int8 must be static or dynamic, got " + mode);
            };
        }
    }

    /** What an export wrote. */
    public record Result(Path file, Precision precision, long bytes, int nodes) {
    }

    private OnnxExport() {
    }

    /**
     * Exports {@code model} to {@code target}. Static int8 calibrates activation ranges on {@code calibrationBatches}
     * training batches of the data the model's stored config names.
     */
    public static Result export(Path model, Path target, Precision precision, int calibrationBatches) {
        if (DeployedModel.isOnnx(model)) {
            throw new IllegalArgumentException(model + " is already an ONNX model: export reads DL4J zips and compact files");
        }
        if (model.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the export would overwrite its input " + model + ": choose another --out");
        }
        ComputationGraph graph = CompactModelFile.load(model);
        OnnxExporter.Int8Calibration int8 = switch (precision) {
            case FLOAT32 -> null;
            case INT8_DYNAMIC -> OnnxExporter.Int8Calibration.dynamicRanges();
            case INT8_STATIC -> {
                if (calibrationBatches < 1) {
                    throw new IllegalArgumentException("--int8 static needs calibration data: --calibration-batches must be"
                            + " >= 1, got " + calibrationBatches);
                }
                String yaml = ModelFiles.readEntry(model, Run.ENTRY_CONFIG).orElseThrow(() -> new IllegalArgumentException(
                        "--int8 static needs calibration data, and " + model + " carries no config naming its data set"
                                + " (not made by distill4j?); use --int8 dynamic or a model distill4j wrote"));
                RunConfig config = RunConfigs.fromYaml(yaml, model + "!" + Run.ENTRY_CONFIG, java.util.List.of());
                if (config.data.seed == null) {
                    config.data.seed = config.seed;
                }
                Dataset data = Datasets.open(config.data);
                yield calibrate(graph, data.iterator(Split.TRAIN, config.training.batchSize, false), calibrationBatches);
            }
        };
        Map<String, String> metadata = metadata(model, ModelFiles.loadNormalizer(model), precision);
        Onnx.ModelProto proto = OnnxExporter.export(graph, int8, metadata);
        io.distill4j.util.AtomicFiles.write(target, f -> Files.write(f, proto.toByteArray()));
        try {
            return new Result(target, precision, Files.size(target), proto.getGraph().getNodeCount());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes {@code graph} as ONNX with the given metadata (e.g. for a graph that was never saved). */
    public static void write(ComputationGraph graph, Path target, OnnxExporter.Int8Calibration int8,
                             Map<String, String> metadata) {
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.putIfAbsent(KEY_FORMAT, FORMAT);
        all.putIfAbsent(KEY_PRECISION, int8 == null ? Precision.FLOAT32.name()
                : int8.dynamic() ? Precision.INT8_DYNAMIC.name() : Precision.INT8_STATIC.name());
        Onnx.ModelProto proto = OnnxExporter.export(graph, int8, all);
        io.distill4j.util.AtomicFiles.write(target, f -> Files.write(f, proto.toByteArray()));
    }

    /** Activation ranges of the input and every weighted layer over {@code batches} batches (inference mode). */
    public static OnnxExporter.Int8Calibration calibrate(ComputationGraph graph, DataSetIterator data, int batches) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        if (data.resetSupported()) {
            data.reset();
        }
        for (int b = 0; b < batches && data.hasNext(); b++) {
            var features = data.next().getFeatures();
            lo = Math.min(lo, features.minNumber().doubleValue());
            hi = Math.max(hi, features.maxNumber().doubleValue());
        }
        if (lo > hi) {
            throw new IllegalArgumentException("no calibration batches: the training split is empty");
        }
        return OnnxExporter.Int8Calibration.of(new double[]{lo, hi}, Quantizer.calibrate(graph, data, batches));
    }

    /** The metadata of an export: format, precision, pre-processing, classes and the model's distill4j entries. */
    static Map<String, String> metadata(Path model, DataNormalization normalizer, Precision precision) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(KEY_FORMAT, FORMAT);
        metadata.put(KEY_PRECISION, precision.name());
        metadata.putAll(CompactModelFile.entries(model));
        ModelFiles.readEntry(model, Run.ENTRY_MODEL_INFO).ifPresent(info -> {
            try {
                metadata.put(KEY_CLASSES, io.distill4j.util.Json.MAPPER.writeValueAsString(
                        io.distill4j.util.Json.MAPPER.readTree(info).get("names")));
            } catch (IOException e) {
                throw new IllegalArgumentException(model + ": unreadable " + Run.ENTRY_MODEL_INFO + ": " + e.getMessage(), e);
            }
        });
        metadata.putAll(normalizerMetadata(normalizer));
        return metadata;
    }

    /** The normaliser as readable JSON (what a non-Java user applies) and as DL4J's serialised form. */
    public static Map<String, String> normalizerMetadata(DataNormalization normalizer) {
        Map<String, String> metadata = new LinkedHashMap<>();
        DataNormalization n = normalizer != null ? normalizer : new ImagePreProcessingScaler(0, 1);
        String readable;
        if (n instanceof ImagePreProcessingScaler s) {
            readable = String.format(Locale.ROOT, "{\"type\":\"scale\",\"formula\":\"x / %s * (%s - %s) + %s\","
                            + "\"maxPixelValue\":%s,\"min\":%s,\"max\":%s,\"layout\":\"NCHW, RGB\"}", s.getMaxPixelVal(),
                    s.getMaxRange(), s.getMinRange(), s.getMinRange(), s.getMaxPixelVal(), s.getMinRange(), s.getMaxRange());
        } else if (n instanceof NormalizerStandardize s) {
            readable = "{\"type\":\"standardize\",\"formula\":\"(x - mean) / std\",\"mean\":" + s.getMean()
                    + ",\"std\":" + s.getStd() + "}";
        } else if (n instanceof NormalizerMinMaxScaler s) {
            readable = "{\"type\":\"min-max\",\"min\":" + s.getMin() + ",\"max\":" + s.getMax() + "}";
        } else {
            readable = "{\"type\":\"" + n.getClass().getName() + "\"}";
        }
        metadata.put(KEY_PREPROCESSING, readable);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            NormalizerSerializer.getDefault().write(n, bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialise the normaliser " + n + ": " + e.getMessage(), e);
        }
        metadata.put(KEY_NORMALIZER, Base64.getEncoder().encodeToString(bytes.toByteArray()));
        return metadata;
    }

    /** The DL4J normaliser stored in an export's metadata, or null. */
    static DataNormalization normalizer(Map<String, String> metadata, Path file) {
        String encoded = metadata.get(KEY_NORMALIZER);
        if (encoded == null) {
            return null;
        }
        try {
            return NormalizerSerializer.getDefault().restore(new ByteArrayInputStream(Base64.getDecoder().decode(encoded)));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the normaliser in " + file + ": " + e.getMessage(), e);
        }
    }
}
