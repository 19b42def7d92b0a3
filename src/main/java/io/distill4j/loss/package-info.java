/**
 * The distillation output layer: alpha * sparse cross-entropy + (1 - alpha) * T^2 * KL(teacher || student), as a DL4J layer configuration and its implementation.
 */
package io.distill4j.loss;
