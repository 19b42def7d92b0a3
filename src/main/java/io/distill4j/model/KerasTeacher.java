package io.distill4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.data.Task;
import io.distill4j.util.Json;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.preprocessors.PermutePreprocessor;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A teacher trained in Keras (an HDF5 file from {@code model.save("x.h5")}), imported with DL4J's
 * {@link KerasModelImport} and reshaped into what distill4j's distillation reads: a {@link ComputationGraph} that
 * takes NCHW images (a channels-last Keras model gets a permuting input vertex) and has a vertex named
 * {@link UNetFactory#LOGITS} with the pre-softmax scores, NCHW for segmentation ({@code [N, C, H, W]}) or
 * {@code [N, C]} for classification. A softmax-ended model (a Conv2D/Dense with {@code activation="softmax"} or a
 * final {@code Activation("softmax")}) is split before its softmax; a linear output is taken as logits as it is.
 * The reshaped graph's output is the logits.
 *
 * @param graph    the teacher, with its Keras weights
 * @param task     segmentation (a 4-d output) or classification (a 2-d output)
 * @param channels input channels; {@code height}, {@code width}: input size the Keras model declares (-1 if free)
 * @param classes  classes it predicts
 * @param logitsOf the Keras layer whose output (before its softmax, if any) are the logits
 */
public record KerasTeacher(Path file, ComputationGraph graph, Task task, int channels, int height, int width,
                           int classes, String logitsOf) {

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** Name of the NCHW input vertex of a teacher whose Keras model is channels-last. */
    public static final String INPUT = "input_nchw";

    /** Whether a file is HDF5 (by its signature, whatever its name), i.e. possibly a Keras model. */
    public static boolean isHdf5(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(HDF5_SIGNATURE.length), HDF5_SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }

    /** Imports a Keras HDF5 model (functional or Sequential) as a distillation teacher. */
    public static KerasTeacher load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("teacher " + file + " does not exist");
        }
        if (!isHdf5(file)) {
            throw new IllegalArgumentException("teacher " + file + " is not an HDF5 file (no HDF5 signature): a Keras"
                    + " teacher is the .h5 file model.save(\"teacher.h5\") writes");
        }
        JsonNode config = modelConfig(file);
        String kind = config.path("class_name").asText();
        JsonNode layers = kind.equals("Sequential") && config.path("config").isArray() ? config.path("config")
                : config.path("config").path("layers");
        ComputationGraph imported;
        try {
            imported = switch (kind) {
                case "Sequential" -> KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false)
                        .toComputationGraph();
                case "Model", "Functional" -> KerasModelImport.importKerasModelAndWeights(file.toString(), false);
                default -> throw new IllegalArgumentException("teacher " + file + ": Keras model class " + kind
                        + " is neither Sequential nor a functional Model");
            };
        } catch (UnsupportedKerasConfigurationException e) {
            throw new IllegalArgumentException("teacher " + file + ": DL4J cannot import " + unsupportedLayer(e, layers)
                    + " (" + e.getMessage() + ")", e);
        } catch (InvalidKerasConfigurationException | IOException e) {
            throw new IllegalArgumentException("teacher " + file + " is not a Keras model DL4J can read: "
                    + e.getMessage(), e);
        }
        boolean channelsLast = !layers.toString().contains("\"channels_first\"");
        JsonNode shape = inputShape(config, layers);
        int channels = shape.size() == 4 ? shape.get(channelsLast ? 3 : 1).asInt(-1) : -1;
        int height = shape.size() == 4 ? shape.get(channelsLast ? 1 : 2).asInt(-1) : -1;
        int width = shape.size() == 4 ? shape.get(channelsLast ? 2 : 3).asInt(-1) : -1;
        return reshape(file, imported, channelsLast && shape.size() == 4, channels, height, width);
    }

    /**
     * The graph of {@code conf}, initialised with DL4J's built-in layer implementations: M2.1's oneDNN helpers, which
     * distill4j switches on ({@link Acceleration}), compute garbage (values up to 1e38, NaN) for the channels-last
     * (NHWC) convolutions Keras import builds. Layers choose their helper when they are created, so the switch is off
     * while this graph's layers are, and back as it was afterwards.
     */
    private static synchronized ComputationGraph withoutHelpers(ComputationGraphConfiguration conf) {
        String previous = System.getProperty(Acceleration.HELPERS_DISABLE_PROPERTY);
        System.setProperty(Acceleration.HELPERS_DISABLE_PROPERTY, "true");
        try {
            ComputationGraph graph = new ComputationGraph(conf);
            graph.init();
            return graph;
        } finally {
            if (previous == null) {
                System.clearProperty(Acceleration.HELPERS_DISABLE_PROPERTY);
            } else {
                System.setProperty(Acceleration.HELPERS_DISABLE_PROPERTY, previous);
            }
        }
    }

    /** Rewires the imported graph: NCHW input, a "logits" vertex, the softmax split off. */
    private static KerasTeacher reshape(Path file, ComputationGraph imported, boolean channelsLast, int channels,
                                        int height, int width) {
        // the imported configuration itself, not a clone: MergeVertex.clone() drops the merge axis Keras import set
        // (channels-last concatenations then merge along the height); the imported graph is discarded afterwards
        ComputationGraphConfiguration conf = imported.getConfiguration();
        if (conf.getNetworkOutputs().size() != 1 || conf.getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException("teacher " + file + " has " + conf.getNetworkInputs().size()
                    + " inputs and " + conf.getNetworkOutputs().size() + " outputs; a teacher has one of each");
        }
        Map<String, GraphVertex> vertices = new LinkedHashMap<>(conf.getVertices());
        Map<String, List<String>> inputs = new LinkedHashMap<>(conf.getVertexInputs());
        String output = conf.getNetworkOutputs().get(0);
        Layer last = layerOf(vertices.get(output));
        String logitsLayer = output;
        if (last instanceof ActivationLayer activation && isSoftmax(activation.getActivationFn())) {
            logitsLayer = inputs.get(output).get(0); // Activation("softmax") after the scores
        } else if (last instanceof BaseLayer base && isSoftmax(base.getActivationFn())) {
            base.setActivationFn(new ActivationIdentity());
        } else if (last == null || !(activationOf(last) instanceof ActivationIdentity)) {
            throw new IllegalArgumentException("teacher " + file + ": its output " + output + " ("
                    + (last == null ? vertices.get(output).getClass().getSimpleName() : last.getClass().getSimpleName())
                    + ", activation " + (last == null ? "none" : activationOf(last))
                    + ") is neither softmax nor linear, so its logits cannot be recovered");
        }
        Layer scores = layerOf(vertices.get(logitsLayer));
        long[] w = imported.getLayer(logitsLayer).getParam("W").shape();
        boolean segmentation = w.length == 4;
        int classes = (int) (segmentation ? w[0] : w[1]);
        if (segmentation && channelsLast) {
            vertices.put(UNetFactory.LOGITS, new PreprocessorVertex(new PermutePreprocessor(0, 3, 1, 2)));
        } else {
            vertices.put(UNetFactory.LOGITS, new ScaleVertex(1.0));
        }
        inputs.put(UNetFactory.LOGITS, List.of(logitsLayer));
        List<String> networkInputs = conf.getNetworkInputs();
        if (channelsLast) {
            // the Keras input name becomes a vertex that turns the NCHW images distill4j feeds into NHWC
            String kerasInput = networkInputs.get(0);
            vertices.put(kerasInput, new PreprocessorVertex(new PermutePreprocessor(0, 2, 3, 1)));
            inputs.put(kerasInput, List.of(INPUT));
            networkInputs = List.of(INPUT);
        }
        conf.setVertices(vertices);
        conf.setVertexInputs(inputs);
        conf.setNetworkInputs(new ArrayList<>(networkInputs));
        conf.setNetworkOutputs(new ArrayList<>(List.of(UNetFactory.LOGITS)));
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        ComputationGraph graph = channelsLast ? withoutHelpers(conf) : new ComputationGraph(conf);
        if (!channelsLast) {
            graph.init();
        }
        for (org.deeplearning4j.nn.api.Layer layer : imported.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0) {
                graph.getLayer(name).setParams(layer.params().dup());
            }
        }
        return new KerasTeacher(file, graph, segmentation ? Task.SEGMENTATION : Task.CLASSIFICATION, channels,
                height, width, classes, logitsLayer + " (" + scores.getClass().getSimpleName() + ")");
    }

    /**
     * What does not match between this teacher and the data a student trains on; empty when they match.
     *
     * @param task     the data's task; the others: the data's input channels, height, width and class count
     */
    public List<String> mismatches(Task task, int channels, int height, int width, int classes) {
        List<String> problems = new ArrayList<>();
        if (this.task != task) {
            problems.add("the teacher is a " + name(this.task) + " model (" + (this.task == Task.SEGMENTATION
                    ? "per-pixel output" : "one output per image") + "), the data is " + name(task));
        }
        if (this.channels > 0 && this.channels != channels) {
            problems.add("the teacher takes " + this.channels + " input channels, the data has " + channels);
        }
        if (this.height > 0 && (this.height != height || this.width != width)) {
            problems.add("the teacher takes " + this.height + "x" + this.width + " images, the data's are "
                    + height + "x" + width);
        }
        if (this.classes != classes) {
            problems.add("the teacher predicts " + this.classes + " classes (layer " + logitsOf + "), the data has "
                    + classes);
        }
        return problems;
    }

    /** Throws, naming every mismatch, unless this teacher fits the data. */
    public void checkFits(Task task, int channels, int height, int width, int classes) {
        List<String> problems = mismatches(task, channels, height, width, classes);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Keras teacher " + file + " does not fit the data: "
                    + String.join("; ", problems));
        }
    }

    private static String name(Task task) {
        return task.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static JsonNode modelConfig(Path file) {
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            if (!archive.hasAttribute("model_config")) {
                throw new IllegalArgumentException("teacher " + file + " is an HDF5 file but no Keras model: it has no"
                        + " model_config attribute (a weights-only file from save_weights? save the whole model)");
            }
            return Json.MAPPER.readTree(archive.readAttributeAsJson("model_config"));
        } catch (UnsupportedKerasConfigurationException | IOException e) {
            throw new IllegalArgumentException("teacher " + file + ": cannot read its Keras model_config: "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("teacher " + file + " is not a readable HDF5 file: " + e.getMessage(), e);
        }
    }

    /** Keras' declared batch input shape, e.g. [null, 256, 256, 3]. */
    private static JsonNode inputShape(JsonNode config, JsonNode layers) {
        for (JsonNode layer : layers) {
            JsonNode shape = layer.path("config").path("batch_input_shape");
            if (shape.isArray()) {
                return shape;
            }
        }
        return Json.MAPPER.createArrayNode();
    }

    /** "layer <name> of type <class>" for the layer whose type DL4J's message names. */
    private static String unsupportedLayer(Exception e, JsonNode layers) {
        String message = String.valueOf(e.getMessage());
        for (JsonNode layer : layers) {
            String type = layer.path("class_name").asText();
            if (!type.isEmpty() && message.matches("(?s).*\\b" + java.util.regex.Pattern.quote(type) + "\\b.*")
                    && !List.of("Model", "Functional", "Sequential").contains(type)) {
                return "layer \"" + layer.path("config").path("name").asText() + "\" of type " + type;
            }
        }
        return "a layer of this model";
    }

    private static Layer layerOf(GraphVertex vertex) {
        return vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static IActivation activationOf(Layer layer) {
        if (layer instanceof BaseLayer base) {
            return base.getActivationFn();
        }
        return layer instanceof ActivationLayer a ? a.getActivationFn() : null;
    }

    private static boolean isSoftmax(IActivation activation) {
        return activation instanceof ActivationSoftmax;
    }
}
