package io.distill4j.cli;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Dataset;
import io.distill4j.train.Run;
import io.distill4j.train.RunCommand;
import io.distill4j.train.RunFolder;
import io.distill4j.train.StopSignal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** What the training commands share: opening a run (new or resumed) with Ctrl-C handling. */
final class Commands {

    private Commands() {
    }

    /**
     * Opens the run, applies {@code body}, and always releases the Ctrl-C hook and the run log. A new run records
     * {@code command} in its folder; a resumed one must have been made by the same command.
     */
    static <R> R withRun(RunOptions options, RunCommand command, boolean installStopHook, Function<Run, R> body) {
        return withRun(options, command, installStopHook, (config, data) -> {
        }, body);
    }

    /**
     * As above, with a check of the opened data (e.g. a teacher's task and classes) that runs before a new run folder
     * is created. A failure once the folder exists is appended to its run.log, with its stack trace.
     */
    static <R> R withRun(RunOptions options, RunCommand command, boolean installStopHook,
                         BiConsumer<RunConfig, Dataset> check, Function<Run, R> body) {
        if (options.resume != null) {
            RunCommand recorded = recorded(options.resume);
            if (recorded != null && !recorded.command().equals(command.command())) {
                throw new IllegalArgumentException(options.resume + " is a " + recorded.command() + " run; resume it with `"
                        + RunCommand.resumeLine(options.resume) + "`");
            }
        }
        StopSignal stop = installStopHook ? new StopSignal().installShutdownHook() : new StopSignal();
        io.distill4j.ui.TrainingUi ui = null;
        if (options.ui || options.uiPort != null) {
            ui = io.distill4j.ui.TrainingUi.start(options.uiPort != null ? options.uiPort
                    : io.distill4j.ui.TrainingUi.DEFAULT_PORT);
            System.out.println(ui.message() + " (until this command ends; `distill4j ui RUN_DIR` shows a run later)");
        }
        Path[] folder = {options.resume};
        try (Run run = options.resume != null ? Run.resume(options.resume, command.toString(), stop)
                : start(options.load(), command, stop, check)) {
            folder[0] = run.folder().dir();
            if (options.resume == null) {
                command.write(run.folder());
            }
            return body.apply(run);
        } catch (RuntimeException e) {
            if (folder[0] != null) {
                RunFolder.appendError(folder[0], command.toString(), e);
            }
            throw e;
        } finally {
            stop.acknowledge();
            if (ui != null) {
                ui.close();
            }
        }
    }

    private static Run start(RunConfig config, RunCommand command, StopSignal stop, BiConsumer<RunConfig, Dataset> check) {
        return Run.start(config, command.toString(), stop, data -> check.accept(config, data));
    }

    /** What a run folder recorded it was running, or null for a folder that recorded nothing. */
    static RunCommand recorded(Path runDir) {
        if (!java.nio.file.Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("--resume: no such run folder: " + runDir);
        }
        return RunCommand.read(runDir).orElse(null);
    }

    /**
     * The value of an option for a resumed run: the recorded one when the option was not given; given and different,
     * an error for the model (a run folder trains what it trains), the given one otherwise.
     */
    static String resumed(String given, String recorded) {
        return given != null ? given : recorded;
    }

    static void requireSame(String option, String given, String recorded, Path runDir) {
        if (given != null && recorded != null && !Objects.equals(given, recorded)) {
            throw new IllegalArgumentException(runDir + " trains the " + recorded + ", not the " + given
                    + ": resume it without " + option + " (or start a new run for the " + given + ")");
        }
    }
}
