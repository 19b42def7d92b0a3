package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Dataset;
import io.distill4j.data.Datasets;
import io.distill4j.data.Split;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.RunFolder;
import io.distill4j.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** Scores a saved model on a split of a dataset. */
public final class Evaluation {

    private Evaluation() {
    }

    /**
     * @param model      the model zip
     * @param config     whose data section and batch size to use; null = the config stored in the model
     * @param split      which split to score
     * @param maxBatches at most this many batches; 0 = all
     * @param jsonOut    where to also write the metrics as JSON; null = nowhere
     */
    public record Options(Path model, RunConfig config, Split split, int maxBatches, Path jsonOut) {
        public Options {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(split, "split");
            if (maxBatches < 0) {
                throw new IllegalArgumentException("maxBatches must be >= 0 (0 = all), got " + maxBatches);
            }
        }

        /** The model's own data and config, the test split, every batch, no JSON file. */
        public static Options of(Path model) {
            return new Options(model, null, Split.TEST, 0, null);
        }

        public Options split(Split split) {
            return new Options(model, config, split, maxBatches, jsonOut);
        }

        public Options config(RunConfig config) {
            return new Options(model, config, split, maxBatches, jsonOut);
        }

        public Options maxBatches(int maxBatches) {
            return new Options(model, config, split, maxBatches, jsonOut);
        }

        public Options jsonOut(Path jsonOut) {
            return new Options(model, config, split, maxBatches, jsonOut);
        }
    }

    public static EvaluationResult run(Options options) {
        ComputationGraph graph = ModelFiles.load(options.model());
        RunConfig config = options.config() != null ? options.config() : ModelConfigs.stored(options.model(), List.of());
        if (config.data.seed == null) {
            config.data.seed = config.seed;
        }
        Dataset data = Datasets.open(config.data);
        EvaluationResult result = Trainer.metricsFor(data).evaluate(graph,
                data.iterator(options.split(), config.training.batchSize, false), options.maxBatches());
        if (options.jsonOut() != null) {
            RunFolder.writeJsonFile(options.jsonOut(), result.summary());
        }
        return result;
    }
}
