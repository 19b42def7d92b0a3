package io.distill4j.cli;

import io.distill4j.config.ConfigException;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options shared by the commands that run training: the config file and overrides of any of its fields. */
public final class RunOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Run config (YAML). Default: the built-in land-cover config (configs/landcover.yaml).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override any config field, e.g. --set training.epochs=3 --set student.filters=[2,4,8]")
    List<String> set = new ArrayList<>();

    @Option(names = "--name", description = "Run name (names the run folder and the promoted models).")
    String name;

    @Option(names = "--epochs", description = "Epochs for every network (overrides per-network epochs).")
    Integer epochs;

    @Option(names = "--batch-size")
    Integer batchSize;

    @Option(names = "--max-batches", description = "At most N batches per epoch and per evaluation (smoke runs).")
    Integer maxBatches;

    @Option(names = "--seed")
    Long seed;

    @Option(names = "--alpha", description = "Distillation weight of the hard labels, in [0, 1].")
    Double alpha;

    @Option(names = "--temperature", description = "Distillation temperature, > 0.")
    Double temperature;

    @Option(names = "--qat", description = "Quantization-aware training (fake-quantized int8 weights and activations).")
    boolean qat;

    @Option(names = "--dtype", description = "Network data type: float32, float16 or bfloat16.")
    String dtype;

    @Option(names = "--runs-dir", paramLabel = "DIR")
    Path runsDir;

    @Option(names = "--models-dir", paramLabel = "DIR")
    Path modelsDir;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue an interrupted run from its last checkpoint, with the config it was started with.")
    Path resume;

    @Option(names = "--ui", description = "Show the training live in DL4J's training UI (its address is printed;"
            + " every run also records it to training-stats.dl4j for `distill4j ui RUN_DIR`).")
    boolean ui;

    @Option(names = "--ui-port", paramLabel = "PORT", description = "Port of the training UI (implies --ui; default"
            + " 9000; the next free port when it is in use; 0: any free port).")
    Integer uiPort;

    /** The named options as config overrides, after the generic --set ones. */
    List<String> overrides() {
        List<String> all = new ArrayList<>(set);
        if (name != null) {
            all.add("name=" + name);
        }
        if (epochs != null) {
            all.add("training.epochs=" + epochs);
            all.add("teacher.epochs=null");
            all.add("student.epochs=null");
        }
        if (batchSize != null) {
            all.add("training.batchSize=" + batchSize);
        }
        if (maxBatches != null) {
            all.add("training.maxBatches=" + maxBatches);
            all.add("training.maxEvalBatches=" + maxBatches);
        }
        if (seed != null) {
            all.add("seed=" + seed);
        }
        if (alpha != null) {
            all.add("distillation.alpha=" + alpha);
        }
        if (temperature != null) {
            all.add("distillation.temperature=" + temperature);
        }
        if (qat) {
            all.add("training.qat=true");
        }
        if (dtype != null) {
            all.add("training.dtype=" + dtype);
        }
        if (runsDir != null) {
            all.add("output.runsDir=\"" + runsDir + "\"");
        }
        if (modelsDir != null) {
            all.add("output.modelsDir=\"" + modelsDir + "\"");
        }
        return all;
    }

    /** The resolved config (not used with --resume, where the run folder's own config applies). */
    RunConfig load() {
        if (resume != null && (config != null || !overrides().isEmpty())) {
            throw new ConfigException("--resume continues a run with the config it was started with;"
                    + " it takes no --config or overrides");
        }
        return RunConfigs.load(config, overrides());
    }
}
