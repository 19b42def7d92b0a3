package io.distill4j.cli;

import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;

import java.util.function.Function;

/** What the training commands share: opening a run (new or resumed) with Ctrl-C handling. */
final class Commands {

    private Commands() {
    }

    /** Opens the run, applies {@code body}, and always releases the Ctrl-C hook and the run log. */
    static <R> R withRun(RunOptions options, String command, boolean installStopHook, Function<Run, R> body) {
        StopSignal stop = installStopHook ? new StopSignal().installShutdownHook() : new StopSignal();
        io.distill4j.ui.TrainingUi ui = null;
        if (options.ui || options.uiPort != null) {
            ui = io.distill4j.ui.TrainingUi.start(options.uiPort != null ? options.uiPort
                    : io.distill4j.ui.TrainingUi.DEFAULT_PORT);
            System.out.println(ui.message() + " (until this command ends; `distill4j ui RUN_DIR` shows a run later)");
        }
        try (Run run = options.resume != null ? Run.resume(options.resume, command, stop)
                : Run.start(options.load(), command, stop)) {
            return body.apply(run);
        } finally {
            stop.acknowledge();
            if (ui != null) {
                ui.close();
            }
        }
    }
}
