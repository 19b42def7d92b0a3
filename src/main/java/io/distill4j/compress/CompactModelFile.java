package io.distill4j.compress;

import io.distill4j.util.AtomicFiles;
import io.distill4j.model.Acceleration;
import io.distill4j.model.ModelFiles;
import io.distill4j.util.HeapArrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * distill4j's compact model file: a zip with the DL4J graph configuration ({@code configuration.json}), the input
 * normalizer ({@code normalizer.bin}, as DL4J writes it), distill4j's text entries, and one entry per parameter array
 * in the smallest of these encodings:
 * <ul>
 *   <li>{@code float32}: dense float32;</li>
 *   <li>{@code sparse-float32}: a bitmap of the non-zero positions plus the non-zero float32 values (pruned layers);</li>
 *   <li>{@code int8}: per-output-channel float32 scales plus one int8 per weight ({@link Int8Tensor});</li>
 *   <li>{@code sparse-int8}: scales, the bitmap and the non-zero int8 values.</li>
 * </ul>
 * A dense DL4J zip stores every zero as 4 bytes; this format does not. Entries are deflated like DL4J's. There is no
 * optimizer state (a compact file is for inference). {@link #load} gives a float32 {@link ComputationGraph} with the
 * decoded (dequantized) weights, and also loads ordinary DL4J model zips.
 */
public final class CompactModelFile {

    /** Marks a compact file, and records the encoding of every parameter. */
    public static final String ENTRY_FORMAT = "compact.json";
    private static final String CONFIGURATION = "configuration.json";
    private static final String PARAM_PREFIX = "param-";
    private static final byte FLOAT32 = 0;
    private static final byte SPARSE_FLOAT32 = 1;
    private static final byte INT8 = 2;
    private static final byte SPARSE_INT8 = 3;
    private static final String[] NAMES = {"float32", "sparse-float32", "int8", "sparse-int8"};

    private CompactModelFile() {
    }

    /**
     * Writes {@code graph} to {@code target} atomically.
     *
     * @param int8    weights to store as int8 (layer name → tensor; their dequantized values should be what the graph
     *                holds), or an empty map
     * @param entries distill4j text entries (provenance, config, model info), stored as {@link ModelFiles} does
     * @return the encoding chosen per parameter ("layer/param" → encoding name)
     */
    public static Map<String, String> save(ComputationGraph graph, Path target, DataNormalization normalizer,
                                           Map<String, Int8Tensor> int8, Map<String, String> entries) {
        Map<String, String> encodings = new LinkedHashMap<>();
        AtomicFiles.write(target, temp -> {
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(temp))) {
                putText(zip, CONFIGURATION, graph.getConfiguration().toJson());
                for (Layer layer : graph.getLayers()) {
                    String name = layer.conf().getLayer().getLayerName();
                    for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                        Int8Tensor q = Layers.WEIGHTS.equals(p.getKey()) ? int8.get(name) : null;
                        zip.putNextEntry(new ZipEntry(PARAM_PREFIX + name + "-" + p.getKey()));
                        byte kind = write(new DataOutputStream(nonClosing(zip)), p.getValue(), q);
                        zip.closeEntry();
                        encodings.put(name + "/" + p.getKey(), NAMES[kind]);
                    }
                }
                StringBuilder json = new StringBuilder("{\"format\":\"distill4j-compact\",\"version\":1,\"encodings\":{");
                encodings.forEach((k, v) -> json.append('"').append(k).append("\":\"").append(v).append("\","));
                json.setLength(json.length() - 1);
                json.append("}}");
                putText(zip, ModelFiles.EXTRA_PREFIX + ENTRY_FORMAT, json.toString());
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    putText(zip, ModelFiles.EXTRA_PREFIX + e.getKey(), e.getValue());
                }
            }
            if (normalizer != null) {
                ModelSerializer.addNormalizerToModel(temp.toFile(), normalizer);
            }
        });
        return encodings;
    }

    /** Whether a file is a compact model file (as opposed to a DL4J zip). */
    public static boolean isCompact(Path file) {
        return ModelFiles.readEntry(file, ENTRY_FORMAT).isPresent();
    }

    /** Loads a compact file, or an ordinary DL4J model zip through {@link ModelFiles#load}. */
    public static ComputationGraph load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file);
        }
        if (!isCompact(file)) {
            return ModelFiles.load(file);
        }
        Acceleration.ensureConfigured();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String json = new String(zip.getInputStream(zip.getEntry(CONFIGURATION)).readAllBytes(), StandardCharsets.UTF_8);
            ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
            graph.init();
            for (Layer layer : graph.getLayers()) {
                String name = layer.conf().getLayer().getLayerName();
                for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                    ZipEntry entry = zip.getEntry(PARAM_PREFIX + name + "-" + p.getKey());
                    if (entry == null) {
                        throw new IllegalArgumentException(file + " has no values for " + name + "/" + p.getKey());
                    }
                    try (InputStream in = new BufferedInputStream(zip.getInputStream(entry))) {
                        INDArray values = read(new DataInputStream(in));
                        if (!java.util.Arrays.equals(values.shape(), p.getValue().shape())) {
                            throw new IllegalArgumentException(file + ": " + name + "/" + p.getKey() + " has shape "
                                    + java.util.Arrays.toString(values.shape()) + ", the configuration needs "
                                    + java.util.Arrays.toString(p.getValue().shape()));
                        }
                        p.getValue().assign(values);
                    }
                }
            }
            return graph;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("cannot read compact model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes one array in its smallest encoding and returns the encoding. */
    private static byte write(DataOutputStream out, INDArray array, Int8Tensor q) throws IOException {
        float[] values = array.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int n = values.length;
        int nonZero = 0;
        for (float v : values) {
            if (v != 0f) {
                nonZero++;
            }
        }
        int bitmap = (n + 7) / 8;
        byte kind;
        if (q != null) {
            kind = bitmap + nonZero < n ? SPARSE_INT8 : INT8;
        } else {
            kind = bitmap + 4L * nonZero < 4L * n ? SPARSE_FLOAT32 : FLOAT32;
        }
        out.writeByte(kind);
        long[] shape = array.shape();
        out.writeByte(shape.length);
        for (long d : shape) {
            out.writeLong(d);
        }
        if (q != null) {
            out.writeByte(q.axis());
            out.writeInt(q.scales().length);
            for (float s : q.scales()) {
                out.writeFloat(s);
            }
        }
        if (kind == SPARSE_FLOAT32 || kind == SPARSE_INT8) {
            byte[] bits = new byte[bitmap];
            for (int i = 0; i < n; i++) {
                if (values[i] != 0f) {
                    bits[i >> 3] |= (byte) (1 << (i & 7));
                }
            }
            out.writeInt(nonZero);
            out.write(bits);
        }
        for (int i = 0; i < n; i++) {
            boolean sparse = kind == SPARSE_FLOAT32 || kind == SPARSE_INT8;
            if (sparse && values[i] == 0f) {
                continue;
            }
            if (q != null) {
                out.writeByte(q.values()[i]);
            } else {
                out.writeFloat(values[i]);
            }
        }
        out.flush();
        return kind;
    }

    private static INDArray read(DataInputStream in) throws IOException {
        byte kind = in.readByte();
        int rank = in.readByte();
        long[] shape = new long[rank];
        long length = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = in.readLong();
            length *= shape[d];
        }
        int n = (int) length;
        boolean int8 = kind == INT8 || kind == SPARSE_INT8;
        int axis = 0;
        float[] scales = null;
        if (int8) {
            axis = in.readByte();
            scales = new float[in.readInt()];
            for (int c = 0; c < scales.length; c++) {
                scales[c] = in.readFloat();
            }
        }
        boolean[] present = null;
        if (kind == SPARSE_FLOAT32 || kind == SPARSE_INT8) {
            in.readInt();
            byte[] bits = in.readNBytes((n + 7) / 8);
            present = new boolean[n];
            for (int i = 0; i < n; i++) {
                present[i] = (bits[i >> 3] & (1 << (i & 7))) != 0;
            }
        }
        if (int8) {
            byte[] q = new byte[n];
            for (int i = 0; i < n; i++) {
                q[i] = present == null || present[i] ? in.readByte() : 0;
            }
            return new Int8Tensor(shape, axis, scales, q).dequantize();
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = present == null || present[i] ? in.readFloat() : 0f;
        }
        return HeapArrays.floats(values, shape);
    }

    private static void putText(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Writes a dense DL4J zip without the optimizer state (the fair float baseline for file sizes), with the
     * normalizer and distill4j's entries.
     */
    public static void saveDense(ComputationGraph graph, Path target, DataNormalization normalizer,
                                 Map<String, String> entries) {
        AtomicFiles.write(target, temp -> {
            ModelSerializer.writeModel(graph, temp.toFile(), false);
            if (normalizer != null) {
                ModelSerializer.addNormalizerToModel(temp.toFile(), normalizer);
            }
            try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(temp)) {
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    Files.writeString(zip.getPath(ModelFiles.EXTRA_PREFIX + e.getKey()), e.getValue(),
                            StandardCharsets.UTF_8);
                }
            }
        });
    }

    /** The distill4j text entries of a model file (without the prefix), e.g. to carry them into a compressed copy. */
    public static Map<String, String> entries(Path file) {
        Map<String, String> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                String name = e.getName();
                if (name.startsWith(ModelFiles.EXTRA_PREFIX) && !name.equals(ModelFiles.EXTRA_PREFIX + ENTRY_FORMAT)) {
                    entries.put(name.substring(ModelFiles.EXTRA_PREFIX.length()),
                            new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
        return entries;
    }
}
