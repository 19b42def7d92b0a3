package io.distill4j.workflows;



import io.distill4j.cli.Distill4j;
import io.distill4j.train.TinyRuns;
import io.distill4j.compress.CompactModelFile;
import io.distill4j.compress.LevelPruner;
import io.distill4j.config.PruneMethod;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pruning and quantization through the typed API on a tiny trained model: outputs, the untouched input, and the errors
 * bad options get; then the same through the command line once.
 */
@Tag("e2e")
class CompressionWorkflowsTest {

    private static String sha(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** The model's own config (the tiny one it was trained with) with one compression choice. */
    private static RunConfig config(Path model, PruneMethod prune, QuantizeMode quantize) {
        RunConfig config = ModelConfigs.stored(model, List.of());
        config.compress.prune = prune;
        config.compress.quantize = quantize;
        config.compress.epochs = 1;
        return config;
    }

    @Test
    void pruneAndQuantizeWriteSmallerModelsAndNeverTouchTheInput(@TempDir Path dir) throws Exception {
        RunConfig tiny = TinyRuns.segmentation(dir);
        tiny.training.qat = true;
        Path model = TinyRuns.promotedStudent(tiny, "t");
        String before = sha(model);

        RunConfig levelConfig = config(model, PruneMethod.LEVEL, QuantizeMode.NONE);
        levelConfig.compress.sparsity = 0.8;
        CompressionResult level = Pruning.run(new CompressOptions(model, levelConfig, null));
        assertEquals(dir.resolve("models/t-student-scratch-level80.zip"), level.output());
        assertTrue(CompactModelFile.isCompact(level.output()));
        assertEquals(0.8, LevelPruner.report(CompactModelFile.load(level.output())).global(), 0.02);

        RunConfig filterConfig = config(model, PruneMethod.FILTER, QuantizeMode.NONE);
        filterConfig.compress.ratio = 0.5;
        CompressionResult filter = Pruning.run(new CompressOptions(model, filterConfig, dir.resolve("filter.zip")));
        assertEquals(dir.resolve("filter.zip"), filter.output());
        assertTrue(filter.stages().get(filter.stages().size() - 1).parameters() < filter.stages().get(0).parameters());

        CompressionResult q = Quantization.run(new CompressOptions(model,
                config(model, PruneMethod.NONE, QuantizeMode.STATIC), null));
        assertEquals(dir.resolve("models/t-student-scratch-int8-static.zip"), q.output());
        assertTrue(Files.size(q.output()) < Files.size(model));
        assertTrue(Double.isFinite(q.stages().get(2).metric()));
        assertTrue(Files.readString(q.runDir().resolve("report.md")).contains("(static)"));
        assertEquals(before, sha(model), "the input model is never modified");

        RunConfig tooSparse = config(model, PruneMethod.LEVEL, QuantizeMode.NONE);
        tooSparse.compress.sparsity = 1.0;
        String message = assertThrows(IllegalArgumentException.class,
                () -> Pruning.run(new CompressOptions(model, tooSparse, null))).getMessage();
        assertTrue(message.contains("compress.sparsity") && message.contains("1.0") && message.contains("[0, 1)"),
                message);
        RunConfig tooFew = config(model, PruneMethod.FILTER, QuantizeMode.NONE);
        tooFew.compress.ratio = 0.9;
        message = assertThrows(IllegalArgumentException.class,
                () -> Pruning.run(new CompressOptions(model, tooFew, null))).getMessage();
        assertTrue(message.contains("every filter"), message);
        message = assertThrows(IllegalArgumentException.class, () -> Quantization.run(new CompressOptions(model,
                config(model, PruneMethod.NONE, QuantizeMode.NONE), null))).getMessage();
        assertTrue(message.contains("compress.quantize is none"), message);
        Path notOurs = dir.resolve("other.zip");
        Files.writeString(notOurs, "not a model");
        message = assertThrows(IllegalArgumentException.class,
                () -> Quantization.run(new CompressOptions(notOurs, null, null))).getMessage();
        assertTrue(message.contains("is not a distill4j model"), message);
        message = assertThrows(IllegalArgumentException.class, () -> Quantization.run(new CompressOptions(model,
                config(model, PruneMethod.NONE, QuantizeMode.DYNAMIC), model))).getMessage();
        assertTrue(message.contains("never overwritten"), message);
        assertEquals(before, sha(model));

        // the commands map their options onto the same workflows
        Path cliOut = dir.resolve("cli-float16.zip");
        assertEquals(0, Distill4j.run("quantize", "--model", model.toString(), "--mode", "float16",
                "--out", cliOut.toString(), "--set", "training.maxEvalBatches=1"));
        assertTrue(Files.isRegularFile(cliOut));
        assertEquals(2, Distill4j.run("prune", "--model", model.toString(), "--sparsity", "1.0"));
        assertEquals(2, Distill4j.run("quantize", "--model", notOurs.toString()));
        assertEquals(before, sha(model));
    }

    @Test
    void lotteryWritesTheTicketWithItsControlsAndSensitivityWritesItsTableAndPlot(@TempDir Path dir) throws Exception {
        Path model = TinyRuns.promotedStudent(TinyRuns.segmentation(dir), "t");
        String before = sha(model);

        RunConfig lotteryConfig = config(model, PruneMethod.LOTTERY, QuantizeMode.NONE);
        lotteryConfig.compress.sparsity = 0.9;
        lotteryConfig.compress.rounds = 2;
        lotteryConfig.compress.rewindEpoch = 1;
        lotteryConfig.compress.roundEpochs = 2;
        CompressionResult lottery = Pruning.run(new CompressOptions(model, lotteryConfig, null));
        assertEquals(0.9, LevelPruner.report(CompactModelFile.load(lottery.output())).global(), 0.02);
        List<String> stages = lottery.stages().stream().map(s -> s.name()).toList();
        assertTrue(stages.stream().anyMatch(n -> n.startsWith("lottery ticket 90%: 2 rounds, rewound to epoch 1 (6 epochs)")),
                stages.toString());
        assertTrue(stages.stream().anyMatch(n -> n.contains("random re-initialisation")), stages.toString());
        assertTrue(stages.stream().anyMatch(n -> n.startsWith("one-shot 90%") && n.contains("(6 in all)")), stages.toString());
        assertTrue(stages.stream().anyMatch(n -> n.startsWith("gradual 90%")), stages.toString());
        assertTrue(Files.readString(lottery.runDir().resolve("lottery.rounds.md")).contains("| 2 | 0.90"));

        RunConfig badRewind = config(model, PruneMethod.LOTTERY, QuantizeMode.NONE);
        badRewind.compress.rewindEpoch = 3;
        badRewind.compress.roundEpochs = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pruning.run(new CompressOptions(model, badRewind, null)));
        assertTrue(e.getMessage().contains("rewind epoch 3 is not recorded"), e.getMessage());

        PruningSensitivity.Result r = PruningSensitivity.run(new PruningSensitivity.Options(model, null,
                List.of(0.5, 0.9)));
        assertTrue(Files.isRegularFile(r.runDir().resolve("plots/sensitivity.png")));
        assertEquals(2 * io.distill4j.compress.Layers.weighted(
                io.distill4j.model.ModelFiles.load(model)).size(), r.sensitivity().rows().size());
        assertTrue(Files.readString(r.runDir().resolve("sensitivity.csv")).startsWith("layer,type,weights,level,sparsity,"));
        assertEquals(before, sha(model), "the input model is never modified");
    }
}
