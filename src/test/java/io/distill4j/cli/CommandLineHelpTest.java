package io.distill4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command answers -V, every option says what it does, and no command lists an option that does nothing. */
class CommandLineHelpTest {

    private static CommandLine root() {
        return RunOptions.withApplicableOptions(new CommandLine(new Distill4j()));
    }

    private static List<CommandLine> all(CommandLine cli) {
        List<CommandLine> all = new ArrayList<>(List.of(cli));
        cli.getSubcommands().values().forEach(sub -> all.addAll(all(sub)));
        return all;
    }

    @Test
    void subcommandsPrintTheVersion() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        int code;
        try {
            code = Distill4j.run("train", "-V");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        assertTrue(out.toString().contains("distill4j"), out.toString());
    }

    @Test
    void everyOptionHasHelp() {
        for (CommandLine cli : all(root())) {
            for (CommandLine.Model.OptionSpec option : cli.getCommandSpec().options()) {
                String help = String.join(" ", option.description()).strip();
                assertFalse(help.isEmpty(), cli.getCommandName() + " " + option.longestName() + " has no help");
            }
        }
    }

    @Test
    void optionsThatDoNothingAreNotListed() {
        CommandLine root = root();
        for (String command : List.of("quantize", "prune", "compress")) {
            CommandLine.Model.CommandSpec spec = root.getSubcommands().get(command).getCommandSpec();
            assertNull(spec.findOption("--qat"), command + " --qat");
            assertNull(spec.findOption("--resume"), command + " --resume");
        }
        for (String command : List.of("demo", "tune")) {
            assertNull(root.getSubcommands().get(command).getCommandSpec().findOption("--qat"), command + " --qat");
        }
        assertTrue(root.getSubcommands().get("train").getCommandSpec().findOption("--qat") != null);
        String sparsity = String.join(" ", root.getSubcommands().get("prune").getCommandSpec().findOption("--sparsity")
                .description());
        assertFalse(sparsity.contains("per layer") && !sparsity.contains("--scope"), sparsity);
    }
}
