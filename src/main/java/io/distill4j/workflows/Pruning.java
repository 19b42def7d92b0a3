package io.distill4j.workflows;

import io.distill4j.compress.Compression;
import io.distill4j.compress.Stage;
import io.distill4j.config.PruneMethod;
import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Level (magnitude), lottery-ticket (iterative magnitude pruning with rewinding) or filter (L1-norm structured)
 * pruning of a saved model as its config's {@code compress} section
 * says, fine-tuning, and a before/after table. The input model is only read.
 */
public final class Pruning {

    private Pruning() {
    }

    public static CompressionResult run(CompressOptions options) {
        Path model = options.model();
        RunConfig config = CompressionRuns.config(model, options.config());
        RunConfig.CompressConfig c = config.compress;
        if (c.prune == PruneMethod.NONE) {
            throw new IllegalArgumentException("compress.prune is none: pass --method level or --method filter");
        }
        String suffix = switch (c.prune) {
            case LEVEL -> String.format(Locale.ROOT, "level%02.0f", 100 * c.sparsity);
            case LOTTERY -> String.format(Locale.ROOT, "lottery%02.0f", 100 * c.sparsity);
            default -> String.format(Locale.ROOT, "filter%02.0f", 100 * c.ratio);
        };
        Path target = CompressionRuns.output(options.out(), model, config, suffix);
        ComputationGraph original = ModelFiles.load(model);
        return CompressionRuns.withRun(config, "prune --model " + model, model, z -> {
            List<Stage> stages = new ArrayList<>(z.baseline("original", original, model));
            Compression.Pruned pruned = z.prune(original, target);
            stages.addAll(pruned.stages());
            CompressionResult r = new CompressionResult(z.run().folder().dir(), target, z.metricName(), stages);
            z.run().folder().writeText("report.md", "# prune " + model + " (" + c.prune + ")\n\n" + r.table() + "\n"
                    + (c.prune != PruneMethod.FILTER ? "Sparsity after fine-tuning:\n\n" + pruned.sparsity().toMarkdown()
                    : ""));
            return r;
        });
    }
}
