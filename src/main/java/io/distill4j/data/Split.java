package io.distill4j.data;

/** The deterministic partitions of a dataset. */
public enum Split { TRAIN, VALIDATION, TEST }
