/**
 * The distillation objective as DL4J layers: {@link io.distill4j.loss.DistillationTerm} (kd, l2-logits, cwd, at,
 * hint, dkd) as typed, weighted terms; {@link io.distill4j.loss.DistillationOutputLayer}, which computes the logit
 * terms on the student's logits; {@link io.distill4j.loss.FeatureDistillationLayer}, a training-only output on a
 * feature level for the feature terms. Each is a Jackson-serialisable configuration with its implementation,
 * gradient-checked in double precision.
 */
package io.distill4j.loss;
