package io.distill4j.model;

import io.distill4j.loss.DistillationOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.ResNet50;
import org.nd4j.linalg.activations.Activation;

import java.io.IOException;
import java.util.List;

/**
 * Classification networks from DL4J's model zoo ({@code deeplearning4j-zoo}) in distill4j's form: the zoo's softmax
 * output layer is replaced by a dense {@link UNetFactory#LOGITS} layer (same shape, so the same parameter count) and
 * the {@link DistillationOutputLayer}, so they train and teach through the same trainer as distill4j's own networks.
 * Pretrained weights come from DL4J's servers, which this project's machines cannot reach: {@link #pretrained}
 * says so clearly, and where a downloaded file would be looked for.
 */
public final class ZooModels {

    private ZooModels() {
    }

    /** DL4J's zoo ResNet50 as it comes (softmax output layer), e.g. to count its parameters. */
    public static ComputationGraph resnet50Original(int classes, int channels, int height, int width, long seed) {
        return ResNet50.builder().numClasses(classes).seed(seed).inputShape(new int[]{channels, height, width})
                .build().init();
    }

    /**
     * ResNet50 for {@code classes} classes on {@code channels × height × width} NCHW images, with a
     * {@link UNetFactory#LOGITS} vertex and distill4j's output layer (hard labels when {@code alpha} is 1).
     */
    public static ComputationGraph resnet50(int classes, int channels, int height, int width, long seed, double alpha,
                                            double temperature) {
        ResNet50 zoo = ResNet50.builder().numClasses(classes).seed(seed)
                .inputShape(new int[]{channels, height, width}).build();
        ComputationGraphConfiguration.GraphBuilder g = zoo.graphBuilder();
        // the zoo's output: a softmax OutputLayer over the 2048 pooled features
        String head = g.getNetworkOutputs().get(0);
        List<String> pooled = List.copyOf(g.getVertexInputs().get(head));
        g.removeVertex(head, true);
        g.addLayer(UNetFactory.LOGITS, new DenseLayer.Builder().nOut(classes).activation(Activation.IDENTITY).build(),
                pooled.toArray(new String[0]));
        g.addLayer(UNetFactory.OUTPUT, new DistillationOutputLayer.Builder().alpha(alpha).temperature(temperature)
                .build(), UNetFactory.LOGITS);
        g.setOutputs(UNetFactory.OUTPUT);
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    /**
     * A zoo model with its pretrained weights, or a clear error when they cannot be had (no network here): DL4J
     * downloads them once into its cache folder, so a file copied there by hand works offline.
     */
    public static <M extends org.deeplearning4j.nn.api.Model> M pretrained(ZooModel<?> model, PretrainedType type) {
        if (!model.pretrainedAvailable(type)) {
            throw new IllegalArgumentException(model.modelName() + " has no " + type + " weights in DL4J's zoo");
        }
        String url = model.pretrainedUrl(type);
        java.io.File cache = new java.io.File(org.deeplearning4j.common.resources.DL4JResources.getDirectory(
                org.deeplearning4j.common.resources.ResourceType.ZOO_MODEL, model.modelName()),
                url.substring(url.lastIndexOf('/') + 1));
        try {
            return model.initPretrained(type);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot load the pretrained " + type + " weights of " + model.modelName()
                    + ": they are downloaded from " + url + ", which this machine cannot reach (" + e + "). Train "
                    + "it from scratch instead, or copy that file to " + cache + " (DL4J's cache) and retry", e);
        }
    }
}
