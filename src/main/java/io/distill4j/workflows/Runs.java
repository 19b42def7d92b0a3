package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Dataset;
import io.distill4j.train.Run;
import io.distill4j.train.RunCommand;
import io.distill4j.train.RunFolder;
import io.distill4j.ui.TrainingUi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** What the workflows that train share: opening a run (new or resumed), recording what made it, closing it. */
final class Runs {

    private static final Logger log = LoggerFactory.getLogger(Runs.class);

    private Runs() {
    }

    /**
     * Opens the run (and the training UI when asked), applies {@code body}, and always releases the stop signal, the
     * UI and the run log. A new run records
     * {@code command} in its folder; a resumed one must have been made by the same command. {@code check} (e.g. a
     * teacher's task and classes against the data) runs before a new run folder is created; a failure once the folder
     * exists is appended to its run.log, with its stack trace.
     */
    static <R> R withRun(RunSource source, RunCommand command, BiConsumer<RunConfig, Dataset> check,
                         Function<Run, R> body) {
        Path resume = source.resume();
        if (resume != null) {
            RunCommand recorded = recorded(resume);
            if (recorded != null && !recorded.command().equals(command.command())) {
                throw new IllegalArgumentException(resume + " is a " + recorded.command() + " run; resume it with `"
                        + RunCommand.resumeLine(resume) + "`");
            }
        }
        // a library caller may have changed the config field by field: check it as a file would be checked
        RunConfig config = resume == null ? RunConfigs.validate(source.config(), "config " + source.config().name)
                : null;
        TrainingUi ui = source.uiPort() != null ? TrainingUi.start(source.uiPort()) : null;
        if (ui != null) {
            log.info("{} (until this run ends; `distill4j ui RUN_DIR` shows a run later)", ui.message());
        }
        Path folder = resume;
        source.stop().started();
        try (Run run = resume != null ? Run.resume(resume, command.toString(), source.stop())
                : Run.start(config, command.toString(), source.stop(), data -> check.accept(config, data))) {
            folder = run.folder().dir();
            if (resume == null) {
                command.write(run.folder());
            }
            return body.apply(run);
        } catch (RuntimeException e) {
            if (folder != null) {
                RunFolder.appendError(folder, command.toString(), e);
            }
            throw e;
        } finally {
            source.stop().acknowledge();
            if (ui != null) {
                ui.close();
            }
        }
    }

    static <R> R withRun(RunSource source, RunCommand command, Function<Run, R> body) {
        return withRun(source, command, (config, data) -> {
        }, body);
    }

    /** What a run folder recorded it was running, or null for a folder that recorded nothing. */
    static RunCommand recorded(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("--resume: no such run folder: " + runDir);
        }
        return RunCommand.read(runDir).orElse(null);
    }

    /** A value given for a resumed run must be the one it recorded (a run folder trains what it trains). */
    static void requireSame(String option, String given, String recorded, Path runDir) {
        if (given != null && recorded != null && !Objects.equals(given, recorded)) {
            throw new IllegalArgumentException(runDir + " trains the " + recorded + ", not the " + given
                    + ": resume it without " + option + " (or start a new run for the " + given + ")");
        }
    }
}
