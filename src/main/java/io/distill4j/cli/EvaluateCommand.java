package io.distill4j.cli;

import io.distill4j.data.Split;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.workflows.Evaluation;
import io.distill4j.workflows.ModelConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j evaluate}: the {@link Evaluation} of a saved model on a split of a dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score a saved model on a dataset split (default: the data it was trained on, test split).")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP")
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

    @Override
    public Integer call() {
        EvaluationResult r = Evaluation.run(new Evaluation.Options(modelFile,
                ModelConfigs.of(modelFile, config, set), split, maxBatches, out));
        System.out.println(r);
        return 0;
    }
}
