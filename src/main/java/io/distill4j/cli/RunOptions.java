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

    @Option(names = "--batch-size", description = "Images per training and evaluation batch (training.batchSize).")
    Integer batchSize;

    @Option(names = "--max-batches", description = "At most N batches per epoch and per evaluation (smoke runs).")
    Integer maxBatches;

    @Option(names = "--seed", description = "Seed of the weights' initialization, data splits and shuffling.")
    Long seed;

    @Option(names = "--alpha", description = "Distillation weight of the hard labels, in [0, 1].")
    Double alpha;

    @Option(names = "--temperature", description = "Distillation temperature, > 0.")
    Double temperature;

    @Option(names = "--qat", description = "Quantization-aware training (fake-quantized int8 weights and activations).")
    boolean qat;

    @Option(names = "--dtype", description = "Network data type: float32, float16 or bfloat16.")
    String dtype;

    @Option(names = "--runs-dir", paramLabel = "DIR", description = "Where run folders go (output.runsDir; default runs).")
    Path runsDir;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Where finished models are promoted (output.modelsDir; default models).")
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

    /** A command's own options that stand for config assignments (e.g. tune's --candidates). */
    final List<Override> commandOptions = new ArrayList<>();

    /** One command-line option and the config assignments it stands for. */
    record Override(String option, List<String> assignments) {
    }

    /** Every override, in order: each --set, then the named options (as config assignments). */
    List<Override> overrideOptions() {
        List<Override> all = new ArrayList<>();
        for (String s : set) {
            all.add(new Override("--set " + s, List.of(s)));
        }
        add(all, "--name", name, "name=" + name);
        add(all, "--epochs", epochs, "training.epochs=" + epochs, "teacher.epochs=null", "student.epochs=null");
        add(all, "--batch-size", batchSize, "training.batchSize=" + batchSize);
        add(all, "--max-batches", maxBatches, "training.maxBatches=" + maxBatches,
                "training.maxEvalBatches=" + maxBatches);
        add(all, "--seed", seed, "seed=" + seed);
        add(all, "--alpha", alpha, "distillation.alpha=" + alpha);
        add(all, "--temperature", temperature, "distillation.temperature=" + temperature);
        if (qat) {
            all.add(new Override("--qat", List.of("training.qat=true")));
        }
        add(all, "--dtype", dtype, "training.dtype=" + dtype);
        add(all, "--runs-dir", runsDir, "output.runsDir=\"" + runsDir + "\"");
        add(all, "--models-dir", modelsDir, "output.modelsDir=\"" + modelsDir + "\"");
        all.addAll(commandOptions);
        return all;
    }

    private static void add(List<Override> all, String option, Object value, String... assignments) {
        if (value != null) {
            all.add(new Override(option + " " + value, List.of(assignments)));
        }
    }

    /** Options of this mixin that do nothing for a command, by command name: they are not offered there. */
    private static final java.util.Map<String, List<String>> INAPPLICABLE = java.util.Map.of(
            "demo", List.of("--qat"), "tune", List.of("--qat"),
            "quantize", List.of("--qat", "--resume"), "prune", List.of("--qat", "--resume"),
            "compress", List.of("--qat", "--resume"));

    /** Removes the options that do nothing for a command (and its subcommands) from its command line. */
    static picocli.CommandLine withApplicableOptions(picocli.CommandLine cli) {
        for (String name : INAPPLICABLE.getOrDefault(cli.getCommandName(), List.of())) {
            picocli.CommandLine.Model.OptionSpec option = cli.getCommandSpec().findOption(name);
            if (option != null) {
                cli.getCommandSpec().remove(option);
            }
        }
        cli.getSubcommands().values().forEach(RunOptions::withApplicableOptions);
        return cli;
    }

    /** The named options as config overrides, after the generic --set ones. */
    List<String> overrides() {
        return overrideOptions().stream().flatMap(o -> o.assignments().stream()).toList();
    }

    /**
     * The resolved config (not used with --resume, where the run folder's own config applies). An invalid value is
     * blamed on where it came from: the config file when the file alone is invalid, otherwise the first option that
     * makes it so (e.g. "--alpha 1.5: distillation.alpha = 1.5 is invalid: ...").
     */
    RunConfig load() {
        if (resume != null && (config != null || !overrides().isEmpty())) {
            throw new ConfigException("--resume continues a run with the config it was started with;"
                    + " it takes no --config or overrides");
        }
        return resolve(config == null ? "built-in " + RunConfigs.DEFAULT_RESOURCE : config.toString(),
                overrides -> RunConfigs.load(config, overrides));
    }

    /**
     * Loads a config from {@code source} with these options' overrides; an invalid value is blamed on the first option
     * that makes the config invalid, or on the source when it is invalid on its own.
     */
    RunConfig resolve(String source, java.util.function.Function<List<String>, RunConfig> loader) {
        try {
            return loader.apply(overrides());
        } catch (ConfigException invalid) {
            loader.apply(List.of());
            String prefix = source + ": ";
            List<String> applied = new ArrayList<>();
            for (Override option : overrideOptions()) {
                applied.addAll(option.assignments());
                try {
                    loader.apply(applied);
                } catch (ConfigException e) {
                    String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
                            : e.getMessage();
                    throw new ConfigException(option.option() + ": " + detail, e);
                }
            }
            throw invalid;
        }
    }
}
