/**
 * Deployment: distill4j's networks as ONNX models (float32, or int8 in QDQ form that ONNX Runtime fuses into int8
 * kernels), run with ONNX Runtime, and one way to open any model file distill4j writes (DL4J zip, compact file,
 * {@code .onnx}) for inference and evaluation.
 */
package io.distill4j.deploy;
