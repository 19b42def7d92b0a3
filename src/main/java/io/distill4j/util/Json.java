package io.distill4j.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one JSON mapper of distill4j: run records, checkpoints, model cards, benchmark results, the PyTorch peer's
 * output and Keras model configs are read and written with it (the YAML side is {@link Yaml}).
 */
public final class Json {

    /** Thread-safe once configured; never reconfigure it. Indented output: the run folders are read by people. */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }
}
