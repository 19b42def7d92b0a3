package io.distill4j.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request to stop training at the next batch boundary and save a checkpoint, e.g. from Ctrl-C. The CLI installs
 * {@link #installShutdownHook()}; the JVM then waits until the trainer has written its checkpoint.
 */
public final class StopSignal {

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch saved = new CountDownLatch(1);

    public void request() {
        requested.set(true);
    }

    public boolean isRequested() {
        return requested.get();
    }

    /** Called once the trainer has nothing left to save (checkpoint written, or run finished). */
    public void acknowledge() {
        saved.countDown();
    }

    /** On Ctrl-C (SIGINT/SIGTERM): ask the trainer to stop and wait up to two minutes for its checkpoint. */
    public StopSignal installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (saved.getCount() == 0) {
                return;
            }
            request();
            System.err.println("stopping: saving a checkpoint at the end of the current batch ...");
            try {
                saved.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "distill4j-stop"));
        return this;
    }

    /** Thrown inside training when a stop was requested. */
    public static final class StopRequested extends RuntimeException {
        public StopRequested() {
            super("stop requested");
        }
    }
}
