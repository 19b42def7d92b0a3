package io.distill4j.cli;

import io.distill4j.compress.Compression;
import io.distill4j.compress.Stage;
import io.distill4j.config.PruneMethod;
import io.distill4j.config.PruneScope;
import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code distill4j prune}: level (magnitude) or filter (L1-norm structured) pruning of a saved model, fine-tuning, and
 * a before/after table. The input model is only read.
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

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the pruned model.")
    Path out;

    public static CompressCommands.Result run(String... args) {
        PruneCommand command = new PruneCommand();
        RunOptions.withApplicableOptions(new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)).parseArgs(args);
        return command.run();
    }

    public CompressCommands.Result run() {
        Compression.requireOurs(model);
        if (sparsity != null && !(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("--sparsity must be in [0, 1), got " + sparsity);
        }
        if (ratio != null && !(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("--ratio must be in [0, 1), got " + ratio);
        }
        List<String> set = new ArrayList<>();
        if (method != null) {
            set.add("compress.prune=" + method);
        }
        if (sparsity != null) {
            set.add("compress.sparsity=" + sparsity);
        }
        if (scope != null) {
            set.add("compress.scope=" + scope);
        }
        layerSparsity.forEach((k, v) -> set.add("compress.layerSparsity." + k + "=" + v));
        if (steps != null) {
            set.add("compress.steps=" + steps);
        }
        if (ratio != null) {
            set.add("compress.ratio=" + ratio);
        }
        if (finetuneEpochs != null) {
            set.add("compress.epochs=" + finetuneEpochs);
        }
        if (distill) {
            set.add("compress.distill=true");
        }
        RunConfig config = CompressCommands.config(options, model, set);
        if (config.compress.prune == PruneMethod.NONE) {
            throw new IllegalArgumentException("compress.prune is none: pass --method level or --method filter");
        }
        RunConfig.CompressConfig c = config.compress;
        String suffix = c.prune == PruneMethod.LEVEL ? String.format(Locale.ROOT, "level%02.0f", 100 * c.sparsity)
                : String.format(Locale.ROOT, "filter%02.0f", 100 * c.ratio);
        Path target = CompressCommands.output(out, model, config, suffix);
        ComputationGraph original = ModelFiles.load(model);
        return CompressCommands.withRun(config, "prune --model " + model, model, z -> {
            List<Stage> stages = new ArrayList<>(z.baseline("original", original, model));
            Compression.Pruned pruned = z.prune(original, target);
            stages.addAll(pruned.stages());
            CompressCommands.Result r = new CompressCommands.Result(z.run().folder().dir(), target, z.metricName(), stages);
            z.run().folder().writeText("report.md", "# prune " + model + " (" + c.prune + ")\n\n" + r.table() + "\n"
                    + (c.prune == PruneMethod.LEVEL ? "Sparsity after fine-tuning:\n\n" + pruned.sparsity().toMarkdown() : ""));
            return r;
        });
    }

    @Override
    public Integer call() {
        CompressCommands.print(run());
        return 0;
    }
}
