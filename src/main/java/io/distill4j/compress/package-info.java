/**
 * Compression beyond distillation: pruning, int8 quantization, quantization-aware and mixed-precision training.
 */
package io.distill4j.compress;
