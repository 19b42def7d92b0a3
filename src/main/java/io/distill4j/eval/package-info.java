/**
 * Evaluation: segmentation and classification metrics on DL4J's Evaluation, reports and plots.
 * <ul>
 *   <li>{@link io.distill4j.eval.Metrics} scores a network (or outputs already computed) into an
 *       {@link io.distill4j.eval.EvaluationResult}: accuracy, per-class precision/recall/F1, confusion matrix, IoU
 *       and mean IoU (segmentation), precision-recall curves and AUPRC (classification), and per-sample scores;</li>
 *   <li>{@link io.distill4j.eval.Plots}: per-epoch curves, precision-recall curves and confusion matrix as PNG;</li>
 *   <li>{@link io.distill4j.eval.Mosaics}: coloured masks and best/worst prediction mosaics, with
 *       {@link io.distill4j.eval.BestAndWorst} choosing the samples and {@link io.distill4j.eval.ClassPalette} the
 *       colours;</li>
 *   <li>{@link io.distill4j.eval.ComparisonTable} and {@link io.distill4j.eval.InferenceTimer}: the teacher / student
 *       comparison in Markdown;</li>
 *   <li>{@link io.distill4j.eval.Benchmark} (with {@link io.distill4j.eval.BenchmarkReport} and
 *       {@link io.distill4j.eval.ProcessMemory}): images/s, GFLOP/s and peak memory of training, distillation and
 *       inference, for the {@code benchmark} command.</li>
 * </ul>
 */
package io.distill4j.eval;
