package io.distill4j.cli;

import io.distill4j.config.PruneMethod;
import io.distill4j.config.PruneScope;
import io.distill4j.workflows.CompressOptions;
import io.distill4j.workflows.CompressionResult;
import io.distill4j.workflows.Pruning;
import io.distill4j.workflows.PruningSensitivity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.distill4j.cli.RunOptions.Setting;

/**
 * {@code distill4j prune}: {@link Pruning} of a saved model (level, lottery ticket or filter), fine-tuning, and a
 * before/after table; or, with {@code --sensitivity}, the {@link PruningSensitivity} of its layers. The input model
 * is only read.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune a saved model (level: zero the smallest weights; filter: remove whole filters), fine-tune"
                + " it and compare file size, speed and accuracy before and after.")
public final class PruneCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP", description = "A model distill4j saved.")
    Path model;

    @Option(names = "--method", description = "${COMPLETION-CANDIDATES} (default: compress.prune of the config, level)")
    PruneMethod method;

    @Option(names = "--sparsity",
            description = "Level: fraction of weights zeroed, in [0, 1): of all layers together, or of each (--scope).")
    Double sparsity;

    @Option(names = "--scope",
            description = "Level: one magnitude threshold over all layers (global, default) or the sparsity in each layer.")
    PruneScope scope;

    @Option(names = "--layer-sparsity", paramLabel = "LAYER_OR_TYPE=S",
            description = "Level: per layer name or type (conv, deconv, dense), e.g. --layer-sparsity deconv=0.5")
    Map<String, Double> layerSparsity = new LinkedHashMap<>();

    @Option(names = "--steps", description = "Level: gradual pruning in this many prune + fine-tune steps.")
    Integer steps;

    @Option(names = "--ratio", description = "Filter: fraction of each layer's filters removed, in [0, 1).")
    Double ratio;

    @Option(names = "--finetune-epochs", description = "Fine-tuning epochs after pruning (0 = none).")
    Integer finetuneEpochs;

    @Option(names = "--distill", description = "Filter: fine-tune by distillation from the unpruned model.")
    boolean distill;

    @Option(names = "--rounds", description = "Lottery: prune-and-rewind rounds (default 3).")
    Integer rounds;

    @Option(names = "--rewind-epoch", description = "Lottery: reset the surviving weights to their values after this"
            + " epoch of the dense training (0 = the initialisation; default 1).")
    Integer rewindEpoch;

    @Option(names = "--round-epochs", description = "Lottery: training epochs of the dense network and of each round"
            + " (default: training.epochs).")
    Integer roundEpochs;

    @Option(names = "--no-controls", description = "Lottery: skip the controls (random re-initialisation of the"
            + " ticket's mask, one-shot and gradual pruning at equal epochs).")
    boolean noControls;

    @Option(names = "--sensitivity", description = "Instead of pruning: per layer, the validation metric after"
            + " pruning that layer alone to each of --levels (no fine-tuning); a table and a plot.")
    boolean sensitivity;

    @Option(names = "--levels", split = ",", paramLabel = "FRACTION",
            description = "Sensitivity: the fractions pruned, ascending (default 0.1,0.2,...,0.9).")
    List<Double> levels;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the pruned model.")
    Path out;

    CompressionResult run() {
        List<Setting> settings = new ArrayList<>();
        settings.addAll(Setting.of("--method", method, c -> c.compress.prune = method));
        settings.addAll(Setting.of("--sparsity", sparsity, c -> c.compress.sparsity = sparsity));
        settings.addAll(Setting.of("--scope", scope, c -> c.compress.scope = scope));
        layerSparsity.forEach((layer, s) -> settings.add(new Setting("--layer-sparsity " + layer + "=" + s,
                c -> c.compress.layerSparsity.put(layer, s))));
        settings.addAll(Setting.of("--steps", steps, c -> c.compress.steps = steps));
        settings.addAll(Setting.of("--ratio", ratio, c -> c.compress.ratio = ratio));
        settings.addAll(Setting.of("--finetune-epochs", finetuneEpochs, c -> c.compress.epochs = finetuneEpochs));
        if (distill) {
            settings.add(new Setting("--distill", c -> c.compress.distill = true));
        }
        settings.addAll(Setting.of("--rounds", rounds, c -> c.compress.rounds = rounds));
        settings.addAll(Setting.of("--rewind-epoch", rewindEpoch, c -> c.compress.rewindEpoch = rewindEpoch));
        settings.addAll(Setting.of("--round-epochs", roundEpochs, c -> c.compress.roundEpochs = roundEpochs));
        if (noControls) {
            settings.add(new Setting("--no-controls", c -> c.compress.controls = false));
        }
        return Pruning.run(new CompressOptions(model, CompressCommands.config(options, model, settings), out));
    }

    /** {@code --sensitivity}: per layer, the validation metric after pruning that layer alone to each level. */
    PruningSensitivity.Result sensitivity() {
        return PruningSensitivity.run(new PruningSensitivity.Options(model,
                CompressCommands.config(options, model, List.of()), levels));
    }

    @Override
    public Integer call() {
        if (sensitivity) {
            PruningSensitivity.Result r = sensitivity();
            System.out.println();
            System.out.println(r.sensitivity().toMarkdown());
            System.out.println("run folder: " + r.runDir() + " (sensitivity.csv, plots/sensitivity.png)");
            return 0;
        }
        CompressCommands.print(run());
        return 0;
    }
}
