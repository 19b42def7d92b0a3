package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.train.StopSignal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which run a workflow works in: a new run of {@code config}, or the interrupted run in the folder {@code resume}
 * (continued with the config it was started with); and the {@code stop} signal that ends it early at a batch boundary
 * with a checkpoint (the command line raises it on Ctrl-C; by default nobody does); and, when {@code uiPort} is not
 * null, DL4J's training UI serving the run live on that port while it lasts (0: any free port; every run also records
 * its statistics for {@code distill4j ui RUN_DIR} later).
 */
public record RunSource(RunConfig config, Path resume, StopSignal stop, Integer uiPort) {

    public RunSource {
        if ((config == null) == (resume == null)) {
            throw new IllegalArgumentException("a run is either new (a config) or resumed (a run folder), not "
                    + (config == null ? "neither" : "both"));
        }
        Objects.requireNonNull(stop, "stop");
    }

    /** A new run of {@code config}. */
    public static RunSource of(RunConfig config) {
        return new RunSource(Objects.requireNonNull(config, "config"), null, new StopSignal(), null);
    }

    /** Continues the interrupted run in {@code runDir} from its last checkpoint. */
    public static RunSource resume(Path runDir) {
        return new RunSource(null, Objects.requireNonNull(runDir, "runDir"), new StopSignal(), null);
    }

    /** The same run, stopped by {@code stop}. */
    public RunSource stop(StopSignal stop) {
        return new RunSource(config, resume, stop, uiPort);
    }

    /** The same run, shown live in the training UI on {@code port} (null: no UI). */
    public RunSource ui(Integer port) {
        return new RunSource(config, resume, stop, port);
    }

    public boolean resumed() {
        return resume != null;
    }
}
