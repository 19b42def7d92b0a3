/**
 * Datasets: segmentation and classification sources on DataVec/ND4J iterators, with class names and colours for
 * evaluation and plots.
 *
 * <p>{@link io.distill4j.data.DatasetSpec} names a dataset (the {@code data:} section of a run YAML; one class per
 * {@link io.distill4j.data.DatasetType}, holding that type's options),
 * {@link io.distill4j.data.Datasets#open} opens it as a {@link io.distill4j.data.Dataset}. Features are float32
 * {@code [N, C, H, W]} in [0, 1]; labels are sparse class ids, {@code [N, 1, H, W]} or {@code [N, 1]}. Bad input
 * data raises {@link io.distill4j.data.DatasetException} naming the file; a bad spec raises
 * {@link java.lang.IllegalArgumentException} naming the field and value.
 */
package io.distill4j.data;
