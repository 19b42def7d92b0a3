/**
 * Plain Java entry points for whole workflows: {@link io.distill4j.workflows.Training},
 * {@link io.distill4j.workflows.Distillation}, {@link io.distill4j.workflows.Evaluation},
 * {@link io.distill4j.workflows.Prediction}, {@link io.distill4j.workflows.Pruning},
 * {@link io.distill4j.workflows.Quantization}, the distill → prune → quantize
 * {@link io.distill4j.workflows.CompressionPipeline}, the {@link io.distill4j.workflows.Demo}, sweeps
 * ({@link io.distill4j.workflows.Tuning}), multi-seed {@link io.distill4j.workflows.Experiments} and the architecture
 * {@link io.distill4j.workflows.Search}. Each {@code run} takes a typed options record (a
 * {@link io.distill4j.config.RunConfig} with its fields set directly, in a {@link io.distill4j.workflows.RunSource}
 * where a run is made or resumed) and returns a typed result; the picocli commands in {@code cli} only map their
 * options onto these and print the results. Above train, tune, compress, search and deploy, below cli (see
 * {@code LayeringTest}).
 */
package io.distill4j.workflows;
