package io.distill4j.cli;

/** Commands parsed as distill4j's command line parses them, for tests that run one and look at its typed result. */
public final class Cli {

    private Cli() {
    }

    /** {@code command} with {@code args} parsed into its options (choices in any case, only applicable options). */
    public static <T> T parse(T command, String... args) {
        Distill4j.commandLine(command).parseArgs(args);
        return command;
    }
}
