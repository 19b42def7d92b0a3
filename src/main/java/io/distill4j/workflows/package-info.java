/**
 * Plain Java entry points for whole workflows: evaluation, prediction, pruning, quantization and the distill → prune
 * → quantize pipeline. Each takes a typed options record (a {@link io.distill4j.config.RunConfig} where a run is
 * made) and returns a typed result; the picocli commands in {@code cli} only map their options onto these and print
 * the results. Above train, tune and compress, below cli (see {@code LayeringTest}).
 */
package io.distill4j.workflows;
