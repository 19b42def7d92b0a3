package io.distill4j.cli;

import io.distill4j.model.Acceleration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code distill4j} command: dispatches to its subcommands. */
@Command(name = "distill4j", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Knowledge distillation and model compression for Deeplearning4j.",
        subcommands = {InfoCommand.class, CommandLine.HelpCommand.class})
public final class Distill4j implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String... args) {
        Acceleration.ensureConfigured();
        return new CommandLine(new Distill4j()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
