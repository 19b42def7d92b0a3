package io.distill4j.config;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.Locale;

/** {@code training.dtype}: the network's data type for training and inference. */
public enum Dtype {
    FLOAT32(DataType.FLOAT), FLOAT16(DataType.HALF), BFLOAT16(DataType.BFLOAT16);

    private final DataType dataType;

    Dtype(DataType dataType) {
        this.dataType = dataType;
    }

    /** The ND4J data type. */
    public DataType dataType() {
        return dataType;
    }

    /** The lowercase name used in YAML, on the command line and in reports. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
