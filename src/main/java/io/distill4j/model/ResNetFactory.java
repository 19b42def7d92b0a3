package io.distill4j.model;

import io.distill4j.data.Task;
import io.distill4j.loss.DistillationOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

import java.util.List;

/**
 * Builds ResNet classifiers ({@link ResNetArchitecture}: any depth, width and stem) in distill4j's form, so they train,
 * teach and are distilled through the same {@code Trainer} and {@code Distiller} as the U-Nets:
 * <ul>
 *   <li>stem ({@link ResNetStem}): Conv7×7/2 → BN → ReLU → MaxPool3×3/2, or Conv3×3 → BN → ReLU;</li>
 *   <li>stages: the first block of every stage after the first halves the feature map (stride 2 on its first 3×3,
 *       or in a bottleneck on its 3×3, as torchvision's "v1.5"); a block whose input differs in width or size
 *       from its output gets a projection shortcut (Conv1×1 with the stride → BN), the others an identity;</li>
 *   <li>head: global average pooling → dense {@value UNetFactory#LOGITS} → {@link DistillationOutputLayer}.</li>
 * </ul>
 * As in torchvision, convolutions have no bias (the batch norm's beta is one) and are He-initialised. DL4J stores a
 * batch norm's running mean and variance as parameters too, so a DL4J ResNet has 2 values per batch-normalised channel
 * more than torchvision counts (Keras counts them, as DL4J does): ResNet-18 at 1000 classes 11,699,112 against
 * torchvision's 11,689,512 (4,800 channels). Layer names: {@code stem_conv}, {@code stem_bn}, {@code stem_relu};
 * per block {@code stageS_blockB_K_conv|bn|relu} (K = 1, 2[, 3]), {@code stageS_blockB_shortcut_conv|bn},
 * {@code stageS_blockB_add} and {@code stageS_blockB_out} (the block's output).
 */
public final class ResNetFactory {

    private ResNetFactory() {
    }

    /**
     * Builds a ResNet. {@code spec} gives everything but the architecture: input, classes, seed, optimizer, loss and
     * data type (its task must be classification; its filter and dropout lists are not used).
     */
    public static ComputationGraph build(UNetSpec spec, ResNetArchitecture architecture) {
        ComputationGraph graph = new ComputationGraph(configuration(spec, architecture));
        graph.init();
        return graph;
    }

    /**
     * A ResNet classifier with distill4j's defaults (seed 42, Adam 1e-3, trained on hard labels until distilled,
     * float32), e.g. {@code classifier(ResNetArchitecture.of(ResNetDepth.RESNET18), 3, 10, 32, 32)}.
     */
    public static ComputationGraph classifier(ResNetArchitecture architecture, int channels, int classes, int height,
                                              int width) {
        return build(UNetSpec.of(architecture.stageWidths(), Task.CLASSIFICATION, channels, classes, height, width),
                architecture);
    }

    public static ComputationGraphConfiguration configuration(UNetSpec spec, ResNetArchitecture architecture) {
        if (spec.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("a ResNet classifies images; the data is "
                    + spec.task().name().toLowerCase(java.util.Locale.ROOT) + " (use a U-Net: filters instead of resnet)");
        }
        Acceleration.ensureConfigured();
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(spec.dataType())
                .updater(spec.updater())
                .weightInit(WeightInit.RELU)
                .activation(Activation.IDENTITY)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs(UNetFactory.INPUT)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.inputChannels()));

        List<Integer> widths = architecture.stageWidths();
        List<Integer> blocks = architecture.stageBlocks();
        ResNetBlock type = architecture.blockType();
        int stemWidth = widths.get(0);
        String previous;
        if (architecture.stemType() == ResNetStem.IMAGENET) {
            previous = convBn(g, "stem", UNetFactory.INPUT, 7, 2, stemWidth, true);
            g.addLayer("stem_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                    .build(), previous);
            previous = "stem_pool";
        } else {
            previous = convBn(g, "stem", UNetFactory.INPUT, 3, 1, stemWidth, true);
        }
        int channels = stemWidth;
        for (int s = 0; s < widths.size(); s++) {
            int width = widths.get(s);
            int out = width * type.expansion();
            for (int b = 0; b < blocks.get(s); b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                String name = "stage" + (s + 1) + "_block" + (b + 1);
                previous = block(g, name, previous, type, width, out, stride, channels != out || stride != 1);
                channels = out;
            }
        }
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), previous);
        g.addLayer(UNetFactory.LOGITS, new DenseLayer.Builder().nOut(spec.numClasses())
                .activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER_UNIFORM).build(), "gap");
        g.addLayer(UNetFactory.OUTPUT, new DistillationOutputLayer.Builder()
                .alpha(spec.alpha()).temperature(spec.temperature()).ignoreIndex(spec.ignoreIndex()).build(),
                UNetFactory.LOGITS);
        g.setOutputs(UNetFactory.OUTPUT);
        return g.build();
    }

    /** One residual block; returns the name of its output (after the final ReLU). */
    private static String block(ComputationGraphConfiguration.GraphBuilder g, String name, String input,
                                ResNetBlock type, int width, int out, int stride, boolean projection) {
        String main;
        if (type == ResNetBlock.BASIC) {
            main = convBn(g, name + "_1", input, 3, stride, width, true);
            main = convBn(g, name + "_2", main, 3, 1, out, false);
        } else {
            main = convBn(g, name + "_1", input, 1, 1, width, true);
            main = convBn(g, name + "_2", main, 3, stride, width, true);
            main = convBn(g, name + "_3", main, 1, 1, out, false);
        }
        String shortcut = projection ? convBn(g, name + "_shortcut", input, 1, stride, out, false) : input;
        g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), main, shortcut);
        g.addLayer(name + "_out", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_add");
        return name + "_out";
    }

    /**
     * Conv (no bias, He init) → batch norm [→ ReLU]; layers {@code <prefix>_conv}, {@code <prefix>_bn},
     * {@code <prefix>_relu}. Returns the last one's name.
     */
    private static String convBn(ComputationGraphConfiguration.GraphBuilder g, String prefix, String input, int kernel,
                                 int stride, int nOut, boolean relu) {
        g.addLayer(prefix + "_conv", new SingleForwardConvolution2D(new ConvolutionLayer.Builder(kernel, kernel)
                .stride(stride, stride).nOut(nOut).hasBias(false)), input);
        g.addLayer(prefix + "_bn", new BatchNormalization.Builder().build(), prefix + "_conv");
        if (!relu) {
            return prefix + "_bn";
        }
        g.addLayer(prefix + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), prefix + "_bn");
        return prefix + "_relu";
    }
}
