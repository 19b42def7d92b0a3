package io.distill4j.spark;

import java.io.Serializable;

/**
 * A model an executor trained: the files {@link io.distill4j.train.Trainer} wrote in the executor's scratch folder
 * (best zip, final checkpoint, history), for the driver to write into the run folder.
 */
public record TrainedOnExecutor(byte[] best, byte[] checkpoint, byte[] history, String host, String executor,
                                double seconds)
        implements Serializable {
}
