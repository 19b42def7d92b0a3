package io.distill4j.model;

import io.distill4j.data.Task;
import io.distill4j.loss.DistillationOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * Builds the multi-class U-Net of the seeds (DigitalShreeni's {@code multi_unet_model}) as a DL4J
 * {@link ComputationGraph}, and its classification variant:
 * <ul>
 *   <li>encoder block: Conv3x3 (same, ReLU, He init) → Dropout → Conv3x3 (the dropout is the second conv's own),
 *       then MaxPool 2x2 after every block but the last;</li>
 *   <li>decoder block (segmentation): Deconvolution2D 2x2 stride 2 → concatenate with the matching encoder output →
 *       Conv3x3 → Dropout → Conv3x3;</li>
 *   <li>head: 1x1 conv to {@code numClasses} logits (segmentation) or global average pooling + dense logits
 *       (classification), then {@link DistillationOutputLayer}.</li>
 * </ul>
 * The vertex {@value #LOGITS} holds the logits a teacher hands to a student; {@value #OUTPUT} gives softmax
 * probabilities. Parameter counts equal the Keras model's (3 → 6 classes: teacher 1,941,190, student 121,750).
 * The convolutions are DL4J's layers with a backward pass that does not recompute the forward one
 * ({@link SingleForwardConvolution2D}, {@link SingleForwardDeconvolution2D}, whose 2×2 up-sampling runs as matrix
 * products); the poolings are DL4J's with a direct loop ({@link DirectMaxPooling2D}).
 */
public final class UNetFactory {

    public static final String INPUT = "input";
    public static final String LOGITS = "logits";
    public static final String OUTPUT = "output";

    private UNetFactory() {
    }

    public static ComputationGraph build(UNetSpec spec) {
        ComputationGraph graph = new ComputationGraph(configuration(spec));
        graph.init();
        return graph;
    }

    /**
     * Builds a generalised U-Net ({@link UNetArchitecture}: per-level widths, optional second convolutions, any
     * depth). {@code spec} gives everything else: input, classes, task, seed, optimizer, loss and data type; its filter
     * and dropout lists are not used.
     */
    public static ComputationGraph build(UNetSpec spec, UNetArchitecture architecture) {
        ComputationGraph graph = new ComputationGraph(configuration(spec, architecture));
        graph.init();
        return graph;
    }

    public static ComputationGraphConfiguration configuration(UNetSpec spec) {
        return configuration(spec, UNetArchitecture.of(spec));
    }

    public static ComputationGraphConfiguration configuration(UNetSpec spec, UNetArchitecture architecture) {
        Acceleration.ensureConfigured();
        int blocks = architecture.depth();
        boolean segmentation = spec.task() == Task.SEGMENTATION;
        if (segmentation != architecture.hasDecoder() && blocks > 1) {
            throw new IllegalArgumentException("a " + spec.task().name().toLowerCase(java.util.Locale.ROOT)
                    + " network needs " + (segmentation ? "" : "no ") + "decoder blocks: " + architecture.describe());
        }
        int multiple = 1 << (blocks - 1);
        if (spec.height() < multiple || spec.width() < multiple
                || (segmentation && (spec.height() % multiple != 0 || spec.width() % multiple != 0))) {
            throw new IllegalArgumentException("input size " + spec.height() + "x" + spec.width()
                    + " must be a positive multiple of " + multiple + " for " + blocks + " levels");
        }
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(spec.dataType())
                .updater(spec.updater())
                .weightInit(WeightInit.RELU)
                .activation(Activation.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.inputChannels()));

        String[] skips = new String[blocks];
        String previous = INPUT;
        for (int i = 0; i < blocks; i++) {
            String block = "enc" + (i + 1);
            skips[i] = convBlock(g, block, previous, architecture.levels().get(i).encoder());
            previous = skips[i];
            if (i < blocks - 1) {
                g.addLayer(block + "_pool", new DirectMaxPooling2D(new SubsamplingLayer.Builder(PoolingType.MAX)
                        .kernelSize(2, 2).stride(2, 2)), previous);
                previous = block + "_pool";
            }
        }

        if (segmentation) {
            for (int i = blocks - 2; i >= 0; i--) {
                String block = "dec" + (i + 1);
                UNetArchitecture.Level level = architecture.levels().get(i);
                // Keras Conv2DTranspose defaults: linear activation, Glorot uniform init. Truncate (VALID) gives
                // the same 2H×2W output as Same for a 2×2 stride-2 kernel (no padding either way), and only VALID
                // reaches libnd4j's oneDNN deconv2d; Same falls back to im2col/GEMM, ~25% of a student step.
                // Its width is the skip's, as in the seed U-Net, so the concatenation joins equal widths.
                g.addLayer(block + "_up", new SingleForwardDeconvolution2D(new Deconvolution2D.Builder()
                        .kernelSize(2, 2).stride(2, 2).convolutionMode(ConvolutionMode.Truncate)
                        .nOut(level.encoder().outWidth()).activation(Activation.IDENTITY)
                        .weightInit(WeightInit.XAVIER_UNIFORM)), previous);
                g.addVertex(block + "_merge", new MergeVertex(), block + "_up", skips[i]);
                previous = convBlock(g, block, block + "_merge", level.decoder());
            }
            g.addLayer(LOGITS, new SingleForwardConvolution2D(new ConvolutionLayer.Builder(1, 1)
                    .nOut(spec.numClasses()).activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER_UNIFORM)),
                    previous);
        } else {
            g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), previous);
            g.addLayer(LOGITS, new DenseLayer.Builder().nOut(spec.numClasses())
                    .activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER_UNIFORM).build(), "gap");
        }
        g.addLayer(OUTPUT, new DistillationOutputLayer.Builder()
                .alpha(spec.alpha()).temperature(spec.temperature()).ignoreIndex(spec.ignoreIndex()).build(), LOGITS);
        g.setOutputs(OUTPUT);
        // each block's conv1 hands its output to conv2 channels-last at inference, the layout both run in: two
        // conversions a block fewer
        return SingleForwardConvolution2D.handOnChannelsLast(g.build());
    }

    /** Conv3x3 → Dropout → Conv3x3 (or Conv3x3 alone); returns the name of the block's last vertex. */
    private static String convBlock(ComputationGraphConfiguration.GraphBuilder g, String block, String input,
                                    UNetArchitecture.Block widths) {
        g.addLayer(block + "_conv1", new SingleForwardConvolution2D(new ConvolutionLayer.Builder(3, 3)
                .nOut(widths.conv1())), input);
        if (widths.conv2() == null) {
            return block + "_conv1";
        }
        ConvolutionLayer.Builder conv2 = new ConvolutionLayer.Builder(3, 3).nOut(widths.conv2());
        if (widths.dropout() > 0) {
            // Keras' Dropout between the two convolutions is dropout on conv2's input. As conv2's own dropout it
            // costs nothing at inference; a DropoutLayer copied its input there and cost 10-15% of a training step.
            // Like DL4J's Dropout, HashedDropout takes the probability of keeping an activation; its mask is a
            // vectorised hash, 25× faster than DL4J's drawn mask (7-8% of a student's training step).
            conv2.dropOut(new HashedDropout(1.0 - widths.dropout()));
        }
        g.addLayer(block + "_conv2", new SingleForwardConvolution2D(conv2), block + "_conv1");
        return block + "_conv2";
    }
}
