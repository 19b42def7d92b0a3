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
    // The other logit terms of DistillationTerm, as plain fields so the layer serialises with DL4J's own Jackson
    // and models saved before they existed still load (weight 0 = term absent).
    private double kdWeight = 1.0;
    private double l2Weight;
    private double cwdWeight;
    private double cwdTau = 4.0;
    private double dkdWeight;
    private double dkdAlpha = 1.0;
    private double dkdBeta = 8.0;
    private double dkdTemperature = 4.0;

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
        if (builder.terms != null) {
            setTerms(builder.terms);
        }
    }

    /**
     * Replaces the objective with these logit terms (each type at most once; without kd there is no hard-label
     * term). Feature terms (at, hint, cwd on a level) are not the output layer's: they are an error here.
     */
    public void setTerms(java.util.List<? extends DistillationTerm> terms) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        kdWeight = l2Weight = cwdWeight = dkdWeight = 0;
        for (DistillationTerm term : terms) {
            if (!term.onLogits()) {
                throw new IllegalArgumentException(term.type() + " is a feature term; the output layer takes"
                        + " kd, l2-logits, cwd (without a level) and dkd");
            }
            if (!seen.add(term.type())) {
                throw new IllegalArgumentException("the logit term " + term.type() + " is given twice");
            }
            if (term instanceof DistillationTerm.Kd kd) {
                kdWeight = kd.weight();
                alpha = kd.alpha();
                temperature = kd.temperature();
            } else if (term instanceof DistillationTerm.L2Logits l2) {
                l2Weight = l2.weight();
            } else if (term instanceof DistillationTerm.Cwd cwd) {
                cwdWeight = cwd.weight();
                cwdTau = cwd.tau();
            } else if (term instanceof DistillationTerm.Dkd dkd) {
                dkdWeight = dkd.weight();
                dkdAlpha = dkd.alpha();
                dkdBeta = dkd.beta();
                dkdTemperature = dkd.temperature();
            }
        }
    }

    /** The kd term of this layer's objective. */
    public DistillationLoss loss() {
        return new DistillationLoss(alpha, temperature, ignoreIndex);
    }

    /** The weighted sum of the logit terms this layer computes. */
    public LogitObjective objective() {
        return new LogitObjective(kdWeight, loss(), l2Weight, cwdWeight, cwdTau, dkdWeight, dkdAlpha, dkdBeta,
                dkdTemperature);
    }

    /** The logit terms of this layer, typed. */
    public java.util.List<DistillationTerm> terms() {
        java.util.List<DistillationTerm> terms = new java.util.ArrayList<>();
        if (kdWeight > 0) {
            terms.add(new DistillationTerm.Kd(kdWeight, alpha, temperature));
        }
        if (l2Weight > 0) {
            terms.add(new DistillationTerm.L2Logits(l2Weight));
        }
        if (cwdWeight > 0) {
            terms.add(new DistillationTerm.Cwd(cwdWeight, cwdTau, null));
        }
        if (dkdWeight > 0) {
            terms.add(new DistillationTerm.Dkd(dkdWeight, dkdAlpha, dkdBeta, dkdTemperature));
        }
        return terms;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return LayerInstances.wire(new DistillationOutputLayerImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
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

    public double getKdWeight() {
        return kdWeight;
    }

    public void setKdWeight(double kdWeight) {
        this.kdWeight = kdWeight;
    }

    public double getL2Weight() {
        return l2Weight;
    }

    public void setL2Weight(double l2Weight) {
        this.l2Weight = l2Weight;
    }

    public double getCwdWeight() {
        return cwdWeight;
    }

    public void setCwdWeight(double cwdWeight) {
        this.cwdWeight = cwdWeight;
    }

    public double getCwdTau() {
        return cwdTau;
    }

    public void setCwdTau(double cwdTau) {
        this.cwdTau = cwdTau;
    }

    public double getDkdWeight() {
        return dkdWeight;
    }

    public void setDkdWeight(double dkdWeight) {
        this.dkdWeight = dkdWeight;
    }

    public double getDkdAlpha() {
        return dkdAlpha;
    }

    public void setDkdAlpha(double dkdAlpha) {
        this.dkdAlpha = dkdAlpha;
    }

    public double getDkdBeta() {
        return dkdBeta;
    }

    public void setDkdBeta(double dkdBeta) {
        this.dkdBeta = dkdBeta;
    }

    public double getDkdTemperature() {
        return dkdTemperature;
    }

    public void setDkdTemperature(double dkdTemperature) {
        this.dkdTemperature = dkdTemperature;
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
                && Objects.equals(ignoreIndex, other.ignoreIndex) && terms().equals(other.terms());
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), alpha, temperature, ignoreIndex, terms());
    }

    @Override
    public String toString() {
        return "DistillationOutputLayer(name=" + getLayerName() + ", terms=" + terms() + ", ignoreIndex=" + ignoreIndex
                + ")";
    }

    /** Builder in DL4J's style; alpha defaults to 1 (hard labels only) and temperature to 1. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private double alpha = 1.0;
        private double temperature = 1.0;
        private Integer ignoreIndex;
        private java.util.List<DistillationTerm> terms;

        /**
         * The logit terms of the objective (replacing the default kd term); each type at most once. Feature terms
         * (at, hint, cwd on a level) are not the output layer's: they are an error here.
         */
        public Builder terms(java.util.List<? extends DistillationTerm> terms) {
            this.terms = java.util.List.copyOf(terms);
            return this;
        }

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
