/**
 * Training loops: the typed {@link io.distill4j.train.Distiller} for any teacher and student graph, and the run-based
 * {@link io.distill4j.train.Trainer} (teacher and student training, distillation from a frozen teacher, checkpoints
 * and resume); the training-only graph branches of feature terms and the cached teacher tensors they read.
 */
package io.distill4j.train;
