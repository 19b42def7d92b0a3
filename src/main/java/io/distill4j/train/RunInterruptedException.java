package io.distill4j.train;

/** Training stopped on request (Ctrl-C) after saving a checkpoint; the message says how to resume. */
public class RunInterruptedException extends RuntimeException {
    public RunInterruptedException(String message) {
        super(message);
    }
}
