package io.distill4j.train;

/** The training loss became NaN or infinite; the run stops and keeps its last good checkpoint. */
public class NonFiniteLossException extends RuntimeException {
    public NonFiniteLossException(String message) {
        super(message);
    }
}
