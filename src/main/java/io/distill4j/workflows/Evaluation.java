package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Dataset;
import io.distill4j.data.Split;
import io.distill4j.deploy.DeployedModel;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.train.Trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Scores a saved model on a split of a dataset: a DL4J zip, a compact file from pruning or quantization, or an ONNX
 * export (run on ONNX Runtime), all with the same metrics.
 */
public final class Evaluation {

    private Evaluation() {
    }

    /**
     * @param model      the model file
     * @param config     whose data section and batch size to use; null = the config stored in the model
     * @param overrides  {@code key=value} overrides of the stored config (the command line's {@code --set}); only
     *                   with {@code config} null
     * @param split      which split to score
     * @param maxBatches at most this many batches; 0 = all
     * @param jsonOut    where to also write the metrics as JSON; null = nowhere
     */
    public record Options(Path model, RunConfig config, List<String> overrides, Split split, int maxBatches,
                          Path jsonOut) {
        public Options {
            overrides = List.copyOf(overrides);
            if (config != null && !overrides.isEmpty()) {
                throw new IllegalArgumentException("overrides apply to the config stored in the model: with a config"
                        + " given, set its fields instead");
            }
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(split, "split");
            if (maxBatches < 0) {
                throw new IllegalArgumentException("maxBatches must be >= 0 (0 = all), got " + maxBatches);
            }
        }

        /** The model's own data and config, the test split, every batch, no JSON file. */
        public static Options of(Path model) {
            return new Options(model, null, List.of(), Split.TEST, 0, null);
        }

        public Options split(Split split) {
            return new Options(model, config, overrides, split, maxBatches, jsonOut);
        }

        public Options config(RunConfig config) {
            return new Options(model, config, overrides, split, maxBatches, jsonOut);
        }

        public Options maxBatches(int maxBatches) {
            return new Options(model, config, overrides, split, maxBatches, jsonOut);
        }

        public Options jsonOut(Path jsonOut) {
            return new Options(model, config, overrides, split, maxBatches, jsonOut);
        }
    }

    /** The metrics, and how many images they were measured on. */
    public record Result(EvaluationResult metrics, long images) {
    }

    public static Result run(Options options) {
        EvaluationResult metrics;
        long images;
        try (DeployedModel model = DeployedModel.open(options.model())) {
            RunConfig config = options.config() != null ? options.config() : ModelConfigs.stored(model, options.overrides());
            Dataset data = Run.openData(config);
            int size = data.size(options.split());
            int batchSize = config.training.batchSize;
            images = options.maxBatches() > 0 ? Math.min(size, (long) options.maxBatches() * batchSize) : size;
            metrics = model.evaluate(Trainer.metricsFor(data), data.iterator(options.split(), batchSize, false),
                    options.maxBatches());
        }
        if (options.jsonOut() != null) {
            RunFolder.writeJsonFile(options.jsonOut(), metrics.summary());
        }
        return new Result(metrics, images);
    }
}
