/**
 * Training loops: teacher and student training, distillation from a frozen teacher, checkpoints and resume.
 */
package io.distill4j.train;
