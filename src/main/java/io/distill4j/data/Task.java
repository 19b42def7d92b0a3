package io.distill4j.data;

/** What a dataset's labels describe, and so which network head and metrics apply. */
public enum Task {
    /** One class id per pixel; labels are {@code [N, 1, H, W]}. */
    SEGMENTATION,
    /** One class id per image; labels are {@code [N, 1]}. */
    CLASSIFICATION
}
