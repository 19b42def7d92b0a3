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

    @Test
    void lotteryWritesTheTicketWithItsControlsAndSensitivityWritesItsTableAndPlot(@TempDir Path dir) throws Exception {
        Path model = TrainCommand.run(tiny(dir, "--model", "student", "--name", "t")).promoted();
        String before = sha(model);
        var lottery = PruneCommand.run(tiny(dir, "--model", model.toString(), "--method", "lottery", "--sparsity",
                "0.9", "--rounds", "2", "--rewind-epoch", "1", "--round-epochs", "2"));
        assertEquals(0.9, LevelPruner.report(CompactModelFile.load(lottery.output())).global(), 0.02);
        List<String> stages = lottery.stages().stream().map(s -> s.name()).toList();
        assertTrue(stages.stream().anyMatch(n -> n.startsWith("lottery ticket 90%: 2 rounds, rewound to epoch 1 (6 epochs)")),
                stages.toString());
        assertTrue(stages.stream().anyMatch(n -> n.contains("random re-initialisation")), stages.toString());
        assertTrue(stages.stream().anyMatch(n -> n.startsWith("one-shot 90%") && n.contains("(6 in all)")), stages.toString());
        assertTrue(stages.stream().anyMatch(n -> n.startsWith("gradual 90%")), stages.toString());
        assertTrue(Files.readString(lottery.runDir().resolve("lottery.rounds.md")).contains("| 2 | 0.90"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PruneCommand.run(tiny(dir,
                "--model", model.toString(), "--method", "lottery", "--rewind-epoch", "3", "--round-epochs", "2")));
        assertTrue(e.getMessage().contains("rewind epoch 3 is not recorded"), e.getMessage());

        PruneCommand sensitivity = new PruneCommand();
        new picocli.CommandLine(sensitivity).parseArgs(tiny(dir, "--model", model.toString(), "--sensitivity",
                "--levels", "0.5,0.9"));
        PruneCommand.SensitivityResult r = sensitivity.sensitivity();
        assertTrue(Files.isRegularFile(r.runDir().resolve("plots/sensitivity.png")));
        assertEquals(2 * io.distill4j.compress.Layers.weighted(
                io.distill4j.model.ModelFiles.load(model)).size(), r.sensitivity().rows().size());
        assertTrue(Files.readString(r.runDir().resolve("sensitivity.csv")).startsWith("layer,type,weights,level,sparsity,"));
        assertEquals(before, sha(model), "the input model is never modified");
    }
}
