package io.distill4j.util;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar with ETA on standard output, drawn by the {@code me.tongfei:progressbar} library, for what takes long
 * enough to wonder about: data loading, the teacher's logit pass, each training epoch. On a terminal it redraws one
 * line twice a second, from the start; when standard output is not a terminal (a CI log, a pipe) it writes a plain
 * line at the start, every {@link #LOG_INTERVAL_MILLIS} ms and at the end, so logs get no carriage returns. Steps are counted, and the
 * library renders from its own thread at that interval, so a step costs the caller an increment: a step with its
 * note took 2 µs (log lines) to 7–22 µs (terminal) on one core (2026-12-02, 200,000 steps into a null stream), against
 * tens of milliseconds per training batch.
 */
public final class Progress implements AutoCloseable {

    /** Redraws per second on a terminal: twice. */
    static final int TERMINAL_INTERVAL_MILLIS = 500;
    /** How often a line is written when the output is not a terminal. */
    static final int LOG_INTERVAL_MILLIS = 10_000;
    /** Width of the lines written when the output is not a terminal (no terminal to ask). */
    private static final int LOG_LINE_WIDTH = 110;

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * A bar for {@code total} steps (batches, files) of {@code task} on standard output; {@code total} < 0 when
     * unknown. Close it when the task ends (it then draws its final state).
     */
    public static Progress start(String task, long total) {
        boolean terminal = System.console() != null;
        return start(task, total, System.out, terminal, terminal ? TERMINAL_INTERVAL_MILLIS : LOG_INTERVAL_MILLIS);
    }

    /**
     * A bar on {@code out}: redrawn in place every {@code intervalMillis} on a terminal, else written as a plain
     * line at most that often (and at the end).
     */
    public static Progress start(String task, long total, PrintStream out, boolean terminal, int intervalMillis) {
        // the library renders the final state twice (last tick, close): a log gets each distinct line once
        java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>();
        ProgressBarConsumer consumer = terminal ? new ConsoleProgressBarConsumer(out)
                : new DelegatingProgressBarConsumer(line -> {
                    String plain = line.strip();
                    if (!plain.equals(last.getAndSet(plain))) {
                        out.println(plain);
                        out.flush();
                    }
                }, LOG_LINE_WIDTH);
        return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(intervalMillis).setConsumer(consumer)
                .continuousUpdate().build());
    }

    public void step() {
        bar.step();
    }

    public void stepBy(long n) {
        bar.stepBy(n);
    }

    /** A short note after the bar, e.g. the running loss. */
    public void note(String format, Object... args) {
        bar.setExtraMessage(" " + String.format(Locale.ROOT, format, args));
    }

    @Override
    public void close() {
        bar.close();
    }
}
