package io.distill4j.workflows;

import io.distill4j.compress.Sensitivity;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Per-layer pruning sensitivity of a saved model: per layer, the validation metric after pruning that layer alone to
 * each level (no fine-tuning), as a table ({@code sensitivity.md|csv}) and a plot in a run folder. The model is only
 * read and no model is written.
 */
public final class PruningSensitivity {

    private PruningSensitivity() {
    }

    /**
     * @param model  a model zip distill4j saved (only read)
     * @param config the run config whose data to validate on; null = the config stored in the model
     * @param levels the fractions pruned, ascending; null = {@link Sensitivity#DEFAULT_LEVELS}
     */
    public record Options(Path model, io.distill4j.config.RunConfig config, List<Double> levels) {
        public Options {
            Objects.requireNonNull(model, "model");
            levels = levels == null ? Sensitivity.DEFAULT_LEVELS : List.copyOf(levels);
        }
    }

    /** What was measured, and the run folder its table and plot went to. */
    public record Result(Path runDir, Sensitivity.Result sensitivity) {
    }

    public static Result run(Options options) {
        Path model = options.model();
        var config = CompressionRuns.config(model, options.config());
        ComputationGraph graph = ModelFiles.load(model);
        return CompressionRuns.withRun(config, "prune --sensitivity --model " + model, model, z -> {
            Sensitivity.Result result = z.sensitivity(graph, options.levels());
            z.run().folder().writeText("report.md", "# prune --sensitivity " + model + "\n\n" + result.toMarkdown());
            return new Result(z.run().folder().dir(), result);
        });
    }
}
