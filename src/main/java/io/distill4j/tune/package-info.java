/**
 * Hyperparameter sweeps of the distillation loss (alpha, temperature) with Arbiter.
 */
package io.distill4j.tune;
