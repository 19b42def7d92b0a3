package io.distill4j.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Choice options are enums: picocli rejects a bad value before anything runs, naming the option and the choices. */
class ChoiceOptionsTest {

    private static String stderrOf(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, Distill4j.run(args));
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badChoicesNameTheOptionTheValueAndTheValidValues() {
        String message = stderrOf("prune", "--model", "missing.zip", "--method", "random");
        assertTrue(message.contains("--method") && message.contains("random") && message.contains("level")
                && message.contains("filter"), message);
        message = stderrOf("prune", "--model", "missing.zip", "--scope", "net");
        assertTrue(message.contains("--scope") && message.contains("net") && message.contains("global")
                && message.contains("layer"), message);
        message = stderrOf("quantize", "--model", "missing.zip", "--mode", "int4");
        assertTrue(message.contains("--mode") && message.contains("int4") && message.contains("dynamic")
                && message.contains("bfloat16"), message);
    }
}
