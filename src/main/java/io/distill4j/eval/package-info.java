/**
 * Evaluation: segmentation and classification metrics on DL4J's Evaluation, reports and plots.
 */
package io.distill4j.eval;
