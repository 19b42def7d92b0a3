package io.distill4j.loss;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/**
 * One weighted term of a student's distillation objective, torchdistill-style: a run's {@code distillation.terms}
 * is a list of these, and the student minimises {@code Σ weight · term}. In YAML each is an object with a
 * {@code type}, e.g. {@code [{type: kd, alpha: 0.5, temperature: 2}, {type: cwd, weight: 3, tau: 4}]}.
 *
 * <p>Logit terms ({@link Kd}, {@link L2Logits}, {@link Cwd} without a level, {@link Dkd}) are computed by the
 * student's {@link DistillationOutputLayer}; feature terms ({@link At}, {@link Hint}, {@link Cwd} on a level) by a
 * {@link FeatureDistillationLayer} attached to the student's feature vertex for training only. Levels are the U-Net's
 * block outputs: {@code enc1}..{@code encN} (shallow to deep) and {@code dec1}..{@code dec(N-1)}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DistillationTerm.Kd.class, name = "kd"),
        @JsonSubTypes.Type(value = DistillationTerm.L2Logits.class, name = "l2-logits"),
        @JsonSubTypes.Type(value = DistillationTerm.Cwd.class, name = "cwd"),
        @JsonSubTypes.Type(value = DistillationTerm.At.class, name = "at"),
        @JsonSubTypes.Type(value = DistillationTerm.Hint.class, name = "hint"),
        @JsonSubTypes.Type(value = DistillationTerm.Dkd.class, name = "dkd")})
public sealed interface DistillationTerm {

    /** The names {@code type} accepts, for messages. */
    List<String> TYPES = List.of("kd", "l2-logits", "cwd", "at", "hint", "dkd");

    double weight();

    /** The {@code type} name of this term. */
    String type();

    /** Whether the output layer computes it from logits (otherwise it needs a feature level). */
    boolean onLogits();

    /**
     * Hinton's KD: {@code alpha · CE(y, softmax(z_s)) + (1 − alpha) · T² · KL(softmax(z_t/T) ‖ softmax(z_s/T))}.
     * {@code alpha = 1} is plain cross-entropy on the labels, the usual companion of the other terms.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    record Kd(double weight, double alpha, double temperature) implements DistillationTerm {
        public Kd {
            positive("kd", "weight", weight);
            DistillationLoss.checkAlpha(alpha);
            DistillationLoss.checkTemperature(temperature);
        }

        @JsonCreator
        static Kd json(@JsonProperty("weight") Double weight, @JsonProperty("alpha") Double alpha,
                       @JsonProperty("temperature") Double temperature) {
            return new Kd(or(weight, 1), or(alpha, 0.5), or(temperature, 4));
        }

        /** Weight 1. */
        public static Kd of(double alpha, double temperature) {
            return new Kd(1, alpha, temperature);
        }

        /** Hard-label cross-entropy alone (alpha = 1). */
        public static Kd crossEntropy() {
            return new Kd(1, 1, 1);
        }

        @Override
        public String type() {
            return "kd";
        }

        @Override
        public boolean onLogits() {
            return true;
        }
    }

    /** Mean squared error between student and teacher logits (Ba and Caruana 2014; N2N's distillation loss). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    record L2Logits(double weight) implements DistillationTerm {
        public L2Logits {
            positive("l2-logits", "weight", weight);
        }

        @JsonCreator
        static L2Logits json(@JsonProperty("weight") Double weight) {
            return new L2Logits(or(weight, 1));
        }

        public static L2Logits of(double weight) {
            return new L2Logits(weight);
        }

        @Override
        public String type() {
            return "l2-logits";
        }

        @Override
        public boolean onLogits() {
            return true;
        }
    }

    /**
     * Channel-wise distillation (Shu et al., ICCV 2021): per channel, softmax over the spatial positions at
     * temperature tau, {@code tau² · KL(teacher ‖ student)} summed over positions, averaged over channels and batch.
     * On the logits when {@code level} is null, else on that level's features through a 1×1 adapter.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    record Cwd(double weight, double tau, String level) implements DistillationTerm {
        public Cwd {
            positive("cwd", "weight", weight);
            positive("cwd", "tau", tau);
        }

        @JsonCreator
        static Cwd json(@JsonProperty("weight") Double weight, @JsonProperty("tau") Double tau,
                        @JsonProperty("level") String level) {
            return new Cwd(or(weight, 3), or(tau, 4), level);
        }

        /** On the logits. */
        public static Cwd of(double weight, double tau) {
            return new Cwd(weight, tau, null);
        }

        @Override
        public String type() {
            return "cwd";
        }

        @Override
        public boolean onLogits() {
            return level == null;
        }
    }

    /**
     * Attention transfer (Zagoruyko and Komodakis 2017): per level, the map {@code Σ_c |A_c|^p} flattened and
     * L2-normalised; the squared L2 distance between student and teacher maps, summed over levels, averaged over the
     * batch. {@code levels} null = every encoder level.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    record At(double weight, double p, List<String> levels) implements DistillationTerm {
        public At {
            positive("at", "weight", weight);
            positive("at", "p", p);
            levels = levels == null ? null : List.copyOf(levels);
        }

        @JsonCreator
        static At json(@JsonProperty("weight") Double weight, @JsonProperty("p") Double p,
                       @JsonProperty("levels") List<String> levels) {
            return new At(or(weight, 1), or(p, 2), levels);
        }

        public static At of(double weight, String... levels) {
            return new At(weight, 2, levels.length == 0 ? null : List.of(levels));
        }

        @Override
        public String type() {
            return "at";
        }

        @Override
        public boolean onLogits() {
            return false;
        }
    }

    /**
     * FitNets hint (Romero et al. 2015): a 1×1 convolution adapts the student's channels at {@code level} to the
     * teacher's; mean squared error against the teacher's activation there. The adapter exists for training only.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    record Hint(double weight, String level) implements DistillationTerm {
        public Hint {
            positive("hint", "weight", weight);
            if (level == null || level.isBlank()) {
                throw new IllegalArgumentException("hint: level is required (e.g. enc3)");
            }
        }

        @JsonCreator
        static Hint json(@JsonProperty("weight") Double weight, @JsonProperty("level") String level) {
            return new Hint(or(weight, 1), level);
        }

        public static Hint of(double weight, String level) {
            return new Hint(weight, level);
        }

        @Override
        public String type() {
            return "hint";
        }

        @Override
        public boolean onLogits() {
            return false;
        }
    }

    /**
     * Decoupled KD (Zhao et al., CVPR 2022), classification: {@code alpha · TCKD + beta · NCKD}, both at temperature
     * T and scaled by T². TCKD is the KL between the binary (target, rest) distributions, NCKD the KL between the
     * distributions over the non-target classes. Examples without a label contribute nothing.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    record Dkd(double weight, double alpha, double beta, double temperature) implements DistillationTerm {
        public Dkd {
            positive("dkd", "weight", weight);
            nonNegative("dkd", "alpha", alpha);
            nonNegative("dkd", "beta", beta);
            DistillationLoss.checkTemperature(temperature);
        }

        @JsonCreator
        static Dkd json(@JsonProperty("weight") Double weight, @JsonProperty("alpha") Double alpha,
                        @JsonProperty("beta") Double beta, @JsonProperty("temperature") Double temperature) {
            return new Dkd(or(weight, 1), or(alpha, 1), or(beta, 8), or(temperature, 4));
        }

        public static Dkd of(double alpha, double beta, double temperature) {
            return new Dkd(1, alpha, beta, temperature);
        }

        @Override
        public String type() {
            return "dkd";
        }

        @Override
        public boolean onLogits() {
            return true;
        }
    }

    private static double or(Double value, double fallback) {
        return value != null ? value : fallback;
    }

    private static void positive(String type, String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(type + ": " + field + " must be > 0 and finite, got " + value);
        }
    }

    private static void nonNegative(String type, String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(type + ": " + field + " must be >= 0 and finite, got " + value);
        }
    }
}
