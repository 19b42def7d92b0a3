/**
 * Hyperparameter sweeps of the distillation loss (alpha, temperature, optionally learning rate and epochs) with
 * Arbiter's random, grid and genetic search; every candidate is a real distillation run sharing one pass of the teacher.
 */
package io.distill4j.tune;
