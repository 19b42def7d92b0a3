package io.distill4j.compress;

import io.distill4j.cli.PruneCommand;
import io.distill4j.cli.QuantizeCommand;
import io.distill4j.cli.TrainCommand;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands on a tiny trained model: outputs, untouched input, and the errors bad input gets. */
@Tag("e2e")
class CompressCommandsTest {

    private static String[] tiny(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("--epochs", "1", "--max-batches", "2", "--batch-size", "4",
                "--set", "data.height=16", "--set", "data.width=16", "--set", "data.samples=24",
                "--set", "student.filters=[4,8]", "--set", "output.mosaics=0",
                "--runs-dir", dir.resolve("runs").toString(), "--models-dir", dir.resolve("models").toString()));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    private static String sha(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void pruneAndQuantizeWriteSmallerModelsAndNeverTouchTheInput(@TempDir Path dir) throws Exception {
        Path model = TrainCommand.run(tiny(dir, "--model", "student", "--name", "t", "--qat")).promoted();
        String before = sha(model);

        var level = PruneCommand.run(tiny(dir, "--model", model.toString(), "--method", "level", "--sparsity", "0.8",
                "--finetune-epochs", "1"));
        assertTrue(CompactModelFile.isCompact(level.output()));
        double sparsity = LevelPruner.report(CompactModelFile.load(level.output())).global();
        assertEquals(0.8, sparsity, 0.02);

        var filter = PruneCommand.run(tiny(dir, "--model", model.toString(), "--method", "filter", "--ratio", "0.5",
                "--finetune-epochs", "1"));
        assertTrue(filter.stages().get(filter.stages().size() - 1).parameters() < filter.stages().get(0).parameters());

        var q = QuantizeCommand.run(tiny(dir, "--model", model.toString(), "--mode", "static"));
        assertTrue(Files.size(q.output()) < Files.size(model));
        assertTrue(Double.isFinite(q.stages().get(2).metric()));
        assertEquals(before, sha(model), "the input model is never modified");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PruneCommand.run(
                tiny(dir, "--model", model.toString(), "--sparsity", "1.0")));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PruneCommand.run(
                tiny(dir, "--model", model.toString(), "--method", "filter", "--ratio", "0.9")));
        assertTrue(e.getMessage().contains("every filter"), e.getMessage());
        Path notOurs = dir.resolve("other.zip");
        Files.writeString(notOurs, "not a model");
        e = assertThrows(IllegalArgumentException.class, () -> QuantizeCommand.run(
                tiny(dir, "--model", notOurs.toString())));
        assertTrue(e.getMessage().contains("is not a distill4j model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantizeCommand.run(
                tiny(dir, "--model", model.toString(), "--out", model.toString())));
        assertTrue(e.getMessage().contains("never overwritten"), e.getMessage());
        assertEquals(before, sha(model));
    }
}
