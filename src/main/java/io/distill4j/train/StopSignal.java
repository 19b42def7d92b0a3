package io.distill4j.train;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request to stop training at the next batch boundary and save a checkpoint, e.g. from Ctrl-C. The CLI installs
 * {@link #installShutdownHook()}; the JVM then waits until every run in progress has written its checkpoint, and
 * exits at once when none is (a command that failed on its input must not hang at exit).
 */
public final class StopSignal {

    /** How long the shutdown hook waits for the runs in progress to save their checkpoints. */
    static final Duration CHECKPOINT_WAIT = Duration.ofMinutes(2);

    private final AtomicBoolean requested = new AtomicBoolean();
    private final Object lock = new Object();
    private int running;

    public void request() {
        requested.set(true);
    }

    public boolean isRequested() {
        return requested.get();
    }

    /** A run that honours this signal has started; pair with {@link #acknowledge()}. */
    public void started() {
        synchronized (lock) {
            running++;
        }
    }

    /** A run that {@link #started()} has nothing left to save (checkpoint written, run finished or failed). */
    public void acknowledge() {
        synchronized (lock) {
            if (running > 0) {
                running--;
            }
            lock.notifyAll();
        }
    }

    /** On Ctrl-C (SIGINT/SIGTERM): ask the runs in progress to stop and wait for their checkpoints. */
    public StopSignal installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndAwait(CHECKPOINT_WAIT), "distill4j-stop"));
        return this;
    }

    /**
     * Requests a stop when a run is in progress and waits up to {@code wait} for every run to acknowledge; returns
     * false at once, requesting nothing, when no run is in progress.
     */
    boolean stopAndAwait(Duration wait) {
        synchronized (lock) {
            if (running == 0) {
                return false;
            }
            request();
            System.err.println("stopping: saving a checkpoint at the end of the current batch ...");
            long deadline = System.nanoTime() + wait.toNanos();
            try {
                for (long left = wait.toNanos(); running > 0 && left > 0; left = deadline - System.nanoTime()) {
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }
    }

    /** Thrown inside training when a stop was requested. */
    public static final class StopRequested extends RuntimeException {
        public StopRequested() {
            super("stop requested");
        }
    }
}
