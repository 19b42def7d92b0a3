package io.distill4j.cli;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Dataset;
import io.distill4j.data.Split;
import io.distill4j.deploy.DeployedModel;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.EvaluationTable;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code distill4j evaluate}: scores a saved model on a split of a dataset. */
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

    @Option(names = "--split", defaultValue = "test", description = "train, validation or test (default: ${DEFAULT-VALUE})")
    String split = "test";

    @Option(names = "--max-batches", defaultValue = "0", description = "Evaluate at most N batches (0 = all).")
    int maxBatches;

    @Option(names = "--out", paramLabel = "JSON", description = "Also write the metrics as JSON here.")
    Path out;

    /** Images the last {@link #run()} evaluated. */
    long images;

    public static EvaluationResult run(String... args) {
        EvaluateCommand command = new EvaluateCommand();
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public EvaluationResult run() {
        Split which = parseSplit(split);
        EvaluationResult result;
        // DL4J zips, compact files (prune, quantize) and .onnx exports, scored with the same metrics
        try (DeployedModel model = DeployedModel.open(modelFile)) {
            RunConfig runConfig = config != null ? RunConfigs.load(config, set) : storedConfig(model, set);
            Dataset data = Run.openData(runConfig);
            int size = data.size(which);
            images = maxBatches > 0 ? Math.min(size, (long) maxBatches * runConfig.training.batchSize) : size;
            result = model.evaluate(Trainer.metricsFor(data), data.iterator(which, runConfig.training.batchSize, false),
                    maxBatches);
        }
        if (out != null) {
            RunFolder.writeJsonFile(out, result.summary());
        }
        return result;
    }

    /** The config saved inside a distill4j model zip, with overrides applied. */
    static RunConfig storedConfig(Path modelFile, List<String> overrides) {
        String yaml = ModelFiles.readEntry(modelFile, Run.ENTRY_CONFIG).orElseThrow(() -> new IllegalArgumentException(
                modelFile + " carries no config (not made by distill4j?): pass --config"));
        return RunConfigs.fromYaml(yaml, modelFile + "!" + Run.ENTRY_CONFIG, overrides);
    }

    /** The config stored in any model file {@link DeployedModel} opens (zip entry or ONNX metadata). */
    static RunConfig storedConfig(DeployedModel model, List<String> overrides) {
        String yaml = model.entry(Run.ENTRY_CONFIG).orElseThrow(() -> new IllegalArgumentException(
                model.file() + " carries no config (not made by distill4j?): pass --config"));
        return RunConfigs.fromYaml(yaml, model.file() + "!" + Run.ENTRY_CONFIG, overrides);
    }

    static Split parseSplit(String name) {
        try {
            return Split.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--split must be train, validation or test, got " + name);
        }
    }

    @Override
    public Integer call() {
        EvaluationResult r = run();
        System.out.print(EvaluationTable.markdown(r, split, images));
        return 0;
    }
}
