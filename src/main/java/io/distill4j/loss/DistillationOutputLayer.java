package io.distill4j.loss;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.params.EmptyParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * Output layer that trains a student on
 * {@code alpha * sparseCE(y, softmax(z_s)) + (1 - alpha) * T^2 * KL(softmax(z_t / T) || softmax(z_s / T))}.
 *
 * <p><b>Input</b>: the student's logits {@code z_s}, {@code [N, C]} or {@code [N, C, H, W]} (NCHW). The layer
 * before it must have an identity activation.
 *
 * <p><b>Labels</b>: the class ids in channel 0, optionally followed by the teacher's logits {@code z_t} in
 * channels 1..C: {@code [N, 1]} / {@code [N, 1, H, W]} (hard labels only, the loss is plain sparse cross-entropy,
 * which is how a student is trained from scratch with the same graph), or {@code [N, 1 + C]} /
 * {@code [N, 1 + C, H, W]} (distillation). {@link DistillationLabels} builds them. A teacher that outputs
 * probabilities can pass their logarithms: log-probabilities differ from its logits by a constant per row, which
 * softmax ignores, so they are valid logits here.
 *
 * <p><b>Score</b>: the mean over examples, and over pixels for segmentation (as Keras averages, unlike
 * {@code CnnLossLayer}, which sums over pixels). Pixels whose class id is the ignore index count in neither term
 * nor in the mean.
 *
 * <p><b>Output</b> (inference): {@code softmax(z_s)} over the class dimension, at temperature 1.
 */
public class DistillationOutputLayer extends NoParamLayer {

    private double alpha = 1.0;
    private double temperature = 1.0;
    /** Class id excluded from both terms, or null for none. */
    private Integer ignoreIndex;

    /** For JSON deserialization. */
    public DistillationOutputLayer() {
        super(new Builder());
    }

    private DistillationOutputLayer(Builder builder) {
        super(builder);
        DistillationLoss.checkAlpha(builder.alpha);
        DistillationLoss.checkTemperature(builder.temperature);
        this.alpha = builder.alpha;
        this.temperature = builder.temperature;
        this.ignoreIndex = builder.ignoreIndex;
    }

    /** The loss this layer computes. */
    public DistillationLoss loss() {
        return new DistillationLoss(alpha, temperature, ignoreIndex);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        DistillationOutputLayerImpl layer = new DistillationOutputLayerImpl(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return EmptyParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null || (inputType.getType() != InputType.Type.CNN && inputType.getType() != InputType.Type.FF)) {
            throw new IllegalStateException("DistillationOutputLayer \"" + getLayerName()
                    + "\" takes feed-forward [N, C] or convolutional [N, C, H, W] logits, got " + inputType);
        }
        if (inputType instanceof InputType.InputTypeConvolutional cnn
                && cnn.getFormat() != org.deeplearning4j.nn.conf.CNN2DFormat.NCHW) {
            throw new IllegalStateException("DistillationOutputLayer \"" + getLayerName() + "\" needs NCHW logits, got "
                    + cnn.getFormat());
        }
        return inputType;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long perExample = inputType.arrayElementsPerExample();
        return new LayerMemoryReport.Builder(layerName, DistillationOutputLayer.class, inputType, inputType)
                .standardMemory(0, 0)
                // softmaxes of student and teacher at T and 1, one-hot labels and the gradient
                .workingMemory(0, 0, perExample, 6 * perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    public double getAlpha() {
        return alpha;
    }

    public void setAlpha(double alpha) {
        DistillationLoss.checkAlpha(alpha);
        this.alpha = alpha;
    }

    public double getTemperature() {
        return temperature;
    }

    public void setTemperature(double temperature) {
        DistillationLoss.checkTemperature(temperature);
        this.temperature = temperature;
    }

    public Integer getIgnoreIndex() {
        return ignoreIndex;
    }

    public void setIgnoreIndex(Integer ignoreIndex) {
        this.ignoreIndex = ignoreIndex;
    }

    @Override
    public DistillationOutputLayer clone() {
        return (DistillationOutputLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DistillationOutputLayer other) || !super.equals(o)) {
            return false;
        }
        return Double.compare(alpha, other.alpha) == 0 && Double.compare(temperature, other.temperature) == 0
                && Objects.equals(ignoreIndex, other.ignoreIndex);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), alpha, temperature, ignoreIndex);
    }

    @Override
    public String toString() {
        return "DistillationOutputLayer(name=" + getLayerName() + ", alpha=" + alpha + ", temperature=" + temperature
                + ", ignoreIndex=" + ignoreIndex + ")";
    }

    /** Builder in DL4J's style; alpha defaults to 1 (hard labels only) and temperature to 1. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private double alpha = 1.0;
        private double temperature = 1.0;
        private Integer ignoreIndex;

        /** Weight of the hard-label cross-entropy; the distillation term gets {@code 1 - alpha}. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Softmax temperature of the distillation term. */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Class id whose pixels count in neither term; null for none. */
        public Builder ignoreIndex(Integer ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public DistillationOutputLayer build() {
            return new DistillationOutputLayer(this);
        }
    }
}
