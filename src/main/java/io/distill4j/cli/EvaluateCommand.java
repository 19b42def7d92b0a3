package io.distill4j.cli;

import io.distill4j.config.RunConfigs;
import io.distill4j.data.Split;
import io.distill4j.eval.EvaluationTable;
import io.distill4j.workflows.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code distill4j evaluate}: the {@link Evaluation} of a saved model on a split of a dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score a saved model on a dataset split (default: the data it was trained on, test split).")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP", description = "A model distill4j saved.")
    Path modelFile;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config whose data section to use; default: the config stored in the model.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override config fields, e.g. data.path=...")
    List<String> set = new ArrayList<>();

    @Option(names = "--split", defaultValue = "test",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Split split = Split.TEST;

    @Option(names = "--max-batches", defaultValue = "0", description = "Evaluate at most N batches (0 = all).")
    int maxBatches;

    @Option(names = "--out", paramLabel = "JSON", description = "Also write the metrics as JSON here.")
    Path out;

    Evaluation.Options options() {
        return config != null
                ? new Evaluation.Options(modelFile, RunConfigs.load(config, set), List.of(), split, maxBatches, out)
                : new Evaluation.Options(modelFile, null, set, split, maxBatches, out);
    }

    @Override
    public Integer call() {
        Evaluation.Result r = Evaluation.run(options());
        System.out.print(EvaluationTable.markdown(r.metrics(), split.name().toLowerCase(Locale.ROOT), r.images()));
        return 0;
    }
}
