/**
 * Searches and comparisons of distillation runs: Arbiter sweeps of the loss's hyperparameters (random, grid,
 * genetic; every candidate a real distillation run sharing one pass of the teacher), and the multi-seed
 * {@link io.distill4j.tune.Experiment} that compares methods with the scratch student, paired by seed.
 */
package io.distill4j.tune;
