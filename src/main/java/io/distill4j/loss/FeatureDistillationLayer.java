package io.distill4j.loss;

import io.distill4j.util.LayerInstances;
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
 * A training-only output layer on a student's feature map {@code [N, C, H, W]} that pulls it towards the teacher's
 * at the same level: attention transfer, a FitNets hint or channel-wise distillation ({@link FeatureLoss}). Its
 * labels are the teacher's tensor for the batch: the teacher's normalised attention map {@code [N, 1, H, W]}
 * ({@link AttentionMaps}) for {@link FeatureLoss#ATTENTION}, the teacher's activation {@code [N, C, H, W]} (after the
 * student's 1×1 adapter has matched C) for the other two. Its score is {@code weight ×} the loss's batch mean.
 *
 * <p>It lives in the graph a student trains with and is removed, with its adapter, before the student is saved
 * for inference; it serialises like any DL4J layer, so checkpoints keep it.
 */
public class FeatureDistillationLayer extends NoParamLayer {

    private FeatureLoss kind = FeatureLoss.MSE;
    private double weight = 1.0;
    /** Attention transfer's exponent. */
    private double p = 2.0;
    /** Channel-wise distillation's temperature. */
    private double tau = 4.0;

    /** For JSON deserialization. */
    public FeatureDistillationLayer() {
        super(new Builder());
    }

    private FeatureDistillationLayer(Builder builder) {
        super(builder);
        this.kind = Objects.requireNonNull(builder.kind, "kind");
        this.weight = builder.weight;
        this.p = builder.p;
        this.tau = builder.tau;
        if (!(weight > 0) || !(p > 0) || !(tau > 0)) {
            throw new IllegalArgumentException("feature distillation weight, p and tau must be > 0, got weight "
                    + weight + ", p " + p + ", tau " + tau);
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerInstances.wire(new FeatureDistillationLayerImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return EmptyParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional cnn)
                || cnn.getFormat() != org.deeplearning4j.nn.conf.CNN2DFormat.NCHW) {
            throw new IllegalStateException("FeatureDistillationLayer \"" + getLayerName()
                    + "\" takes NCHW feature maps [N, C, H, W], got " + inputType);
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
        return new LayerMemoryReport.Builder(layerName, FeatureDistillationLayer.class, inputType, inputType)
                .standardMemory(0, 0)
                .workingMemory(0, 0, perExample, 3 * perExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    public FeatureLoss getKind() {
        return kind;
    }

    public void setKind(FeatureLoss kind) {
        this.kind = kind;
    }

    public double getWeight() {
        return weight;
    }

    public void setWeight(double weight) {
        this.weight = weight;
    }

    public double getP() {
        return p;
    }

    public void setP(double p) {
        this.p = p;
    }

    public double getTau() {
        return tau;
    }

    public void setTau(double tau) {
        this.tau = tau;
    }

    @Override
    public FeatureDistillationLayer clone() {
        return (FeatureDistillationLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FeatureDistillationLayer other) || !super.equals(o)) {
            return false;
        }
        return kind == other.kind && Double.compare(weight, other.weight) == 0 && Double.compare(p, other.p) == 0
                && Double.compare(tau, other.tau) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), kind, weight, p, tau);
    }

    @Override
    public String toString() {
        return "FeatureDistillationLayer(name=" + getLayerName() + ", kind=" + kind + ", weight=" + weight + ", p=" + p
                + ", tau=" + tau + ")";
    }

    public static class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private FeatureLoss kind = FeatureLoss.MSE;
        private double weight = 1.0;
        private double p = 2.0;
        private double tau = 4.0;

        public Builder kind(FeatureLoss kind) {
            this.kind = kind;
            return this;
        }

        public Builder weight(double weight) {
            this.weight = weight;
            return this;
        }

        public Builder p(double p) {
            this.p = p;
            return this;
        }

        public Builder tau(double tau) {
            this.tau = tau;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public FeatureDistillationLayer build() {
            return new FeatureDistillationLayer(this);
        }
    }
}
