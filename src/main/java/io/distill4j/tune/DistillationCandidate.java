package io.distill4j.tune;

/** One point of a sweep: the distillation loss's alpha and temperature, the learning rate and the epochs (Arbiter copies candidates by Java serialization). */
public record DistillationCandidate(double alpha, double temperature, double learningRate, int epochs)
        implements java.io.Serializable {
}
