package io.distill4j.train;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopSignalTest {

    @Test
    void withNoRunInProgressTheHookNeitherRequestsNorWaits() {
        StopSignal stop = new StopSignal();
        long start = System.nanoTime();
        assertFalse(stop.stopAndAwait(Duration.ofSeconds(30)));
        assertFalse(stop.isRequested());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "returned without waiting");
    }

    @Test
    void aFinishedRunIsNoLongerWaitedFor() {
        StopSignal stop = new StopSignal();
        stop.started();
        stop.acknowledge();
        assertFalse(stop.stopAndAwait(Duration.ofSeconds(30)));
    }

    @Test
    void theHookRequestsAStopAndWaitsUntilEveryRunHasSaved() throws Exception {
        StopSignal stop = new StopSignal();
        stop.started();
        stop.started();
        CompletableFuture<Boolean> hook = CompletableFuture.supplyAsync(() -> stop.stopAndAwait(Duration.ofSeconds(30)));
        while (!stop.isRequested()) {
            Thread.onSpinWait();
        }
        stop.acknowledge();
        Thread.sleep(100);
        assertFalse(hook.isDone(), "one run is still saving");
        stop.acknowledge();
        assertTrue(hook.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theWaitIsBounded() {
        StopSignal stop = new StopSignal();
        stop.started();
        assertTrue(stop.stopAndAwait(Duration.ofMillis(50)));
        assertTrue(stop.isRequested());
    }
}
