/**
 * Datasets: segmentation and classification sources on DataVec/ND4J iterators, with class names and colours for evaluation and plots.
 */
package io.distill4j.data;
