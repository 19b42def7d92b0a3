package io.distill4j.cli;

import io.distill4j.model.Acceleration;
import io.distill4j.train.NonFiniteLossException;
import io.distill4j.train.RunInterruptedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code distill4j} command: dispatches to its subcommands. */
@Command(name = "distill4j", mixinStandardHelpOptions = true, versionProvider = Distill4j.VersionProvider.class,
        scope = CommandLine.ScopeType.INHERIT, // subcommands inherit the version provider: `train -V` works
        description = "Knowledge distillation and model compression for Deeplearning4j.",
        subcommands = {InfoCommand.class, DataCommand.class, TrainCommand.class, DistillCommand.class, EvaluateCommand.class,
                PredictCommand.class, DemoCommand.class, TuneCommand.class, ExperimentCommand.class, PruneCommand.class,
                QuantizeCommand.class, CompressCommand.class, BenchmarkCommand.class, ExportCommand.class,
                SearchCommand.class, UiCommand.class, CommandLine.HelpCommand.class})
public final class Distill4j implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String... args) {
        Acceleration.ensureConfigured();
        return commandLine(new Distill4j()).setExecutionExceptionHandler(Distill4j::handle).execute(args);
    }

    /**
     * The command line of {@code command} (this one or a subcommand) as distill4j runs it: choices in any case, only
     * the options that apply to the command.
     */
    public static CommandLine commandLine(Object command) {
        return RunOptions.withApplicableOptions(new CommandLine(command)).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /**
     * Known failures (bad config or data, a diverging loss, an interrupted run) print their message, which names the
     * file, key or value, instead of a stack trace; DISTILL4J_DEBUG=1 shows the trace too.
     */
    private static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (System.getenv("DISTILL4J_DEBUG") != null) {
            e.printStackTrace();
        }
        if (e instanceof RunInterruptedException) {
            System.err.println(e.getMessage());
            return 130;
        }
        if (e instanceof IllegalArgumentException || e instanceof io.distill4j.data.DatasetException
                || e instanceof NonFiniteLossException
                || e instanceof java.io.UncheckedIOException || e instanceof CommandLine.ParameterException) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        // an I/O failure wrapped by a library (e.g. a full disk under DL4J's serializer): one line; a run folder's
        // run.log has the stack trace
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.io.IOException || cause instanceof java.io.UncheckedIOException) {
                System.err.println("error: " + cause.getMessage() + " (" + cause.getClass().getSimpleName() + ")");
                return 2;
            }
        }
        throw e;
    }

    /** {@code --version}: distill4j's, DL4J's and Java's versions. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return io.distill4j.util.Versions.summary();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
