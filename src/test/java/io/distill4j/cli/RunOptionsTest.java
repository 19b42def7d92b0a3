package io.distill4j.cli;

import io.distill4j.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad value is blamed on where it came from: the named option, the --set, or the config file. */
class RunOptionsTest {

    private static String error(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs(args);
        return assertThrows(ConfigException.class, () -> command.options.load()).getMessage();
    }

    @Test
    void aNamedOptionIsBlamedOnTheOption() {
        String message = error("--alpha", "1.5");
        assertTrue(message.startsWith("--alpha 1.5: "), message);
        assertTrue(message.contains("[0, 1]"), message);
        assertFalse(message.contains("landcover.yaml"), message);
        assertTrue(error("--epochs", "0").startsWith("--epochs 0: "));
        assertTrue(error("--temperature", "-2").startsWith("--temperature -2.0: "));
    }

    @Test
    void aSetIsBlamedOnTheSet() {
        String message = error("--set", "training.batchSize=0");
        assertTrue(message.startsWith("--set training.batchSize=0: "), message);
        String typeError = error("--set", "training.epochs=abc");
        assertTrue(typeError.startsWith("--set training.epochs=abc: "), typeError);
    }

    @Test
    void aCommandsOwnOptionIsBlamedOnIt() {
        String message = assertThrows(ConfigException.class, () -> TuneCommand.run("--candidates", "0")).getMessage();
        assertTrue(message.startsWith("--candidates 0: tune.maxCandidates = 0 is invalid"), message);
    }

    @Test
    void aBadValueInTheFileIsStillBlamedOnTheFile(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, Files.readString(Path.of("configs/landcover.yaml")).replace("alpha: 0.5", "alpha: 2"));
        String message = error("--config", config.toString(), "--epochs", "3");
        assertTrue(message.startsWith(config + ": distillation.alpha = 2.0 is invalid"), message);
    }
}
