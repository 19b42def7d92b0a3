package io.distill4j.cli;

import io.distill4j.config.ConfigException;
import io.distill4j.config.Dtype;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.train.StopSignal;
import io.distill4j.ui.TrainingUi;
import io.distill4j.workflows.RunSource;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Options shared by the commands that make runs: the config file, {@code --set} overrides of any of its fields (the one
 * string-based door: YAML values at config paths), and named options that set typed config fields directly.
 */
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

    @Option(names = "--workers", paramLabel = "N", description = "Data-parallel training on this machine: N replicas"
            + " through DL4J's ParallelWrapper (threads on the CPU, GPUs under -Pcuda), parameters averaged every step"
            + " (training.workers; default 1).")
    Integer workers;

    @Option(names = "--seed", description = "Seed of the weights' initialization, data splits and shuffling.")
    Long seed;

    @Option(names = "--alpha", description = "Distillation weight of the hard labels, in [0, 1].")
    Double alpha;

    @Option(names = "--temperature", description = "Distillation temperature, > 0.")
    Double temperature;

    @Option(names = "--qat", description = "Quantization-aware training (fake-quantized int8 weights and activations).")
    boolean qat;

    @Option(names = "--dtype", description = "Network data type: ${COMPLETION-CANDIDATES}.")
    Dtype dtype;

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

    /** One command-line option (as the user wrote it, for error messages) and the typed config fields it sets. */
    record Setting(String option, Consumer<RunConfig> apply) {

        /** A setting for an option that was given, or none for one that was not. */
        static <T> List<Setting> of(String option, T value, Consumer<RunConfig> apply) {
            return value == null ? List.of() : List.of(new Setting(option + " " + value, apply));
        }
    }

    /** The named options of this mixin that were given, in order. */
    List<Setting> settings() {
        List<Setting> all = new ArrayList<>();
        all.addAll(Setting.of("--name", name, c -> c.name = name));
        all.addAll(Setting.of("--epochs", epochs, c -> {
            c.training.epochs = epochs;
            c.teacher.epochs = null;
            c.student.epochs = null;
        }));
        all.addAll(Setting.of("--batch-size", batchSize, c -> c.training.batchSize = batchSize));
        all.addAll(Setting.of("--max-batches", maxBatches, c -> {
            c.training.maxBatches = maxBatches;
            c.training.maxEvalBatches = maxBatches;
        }));
        all.addAll(Setting.of("--workers", workers, c -> c.training.workers = workers));
        all.addAll(Setting.of("--seed", seed, c -> c.seed = seed));
        all.addAll(Setting.of("--alpha", alpha, c -> c.distillation.alpha = alpha));
        all.addAll(Setting.of("--temperature", temperature, c -> c.distillation.temperature = temperature));
        if (qat) {
            all.add(new Setting("--qat", c -> c.training.qat = true));
        }
        all.addAll(Setting.of("--dtype", dtype, c -> c.training.dtype = dtype));
        all.addAll(Setting.of("--runs-dir", runsDir, c -> c.output.runsDir = runsDir.toString()));
        all.addAll(Setting.of("--models-dir", modelsDir, c -> c.output.modelsDir = modelsDir.toString()));
        return all;
    }

    /** Options of this mixin that do nothing for a command, by command name: they are not offered there. */
    private static final Map<String, List<String>> INAPPLICABLE = Map.of(
            "demo", List.of("--qat"), "tune", List.of("--qat"),
            "quantize", List.of("--qat", "--resume", "--workers"), "prune", List.of("--qat", "--resume"),
            "compress", List.of("--qat", "--resume"));

    /** Removes the options that do nothing for a command (and its subcommands) from its command line. */
    static CommandLine withApplicableOptions(CommandLine cli) {
        for (String option : INAPPLICABLE.getOrDefault(cli.getCommandName(), List.of())) {
            CommandLine.Model.OptionSpec spec = cli.getCommandSpec().findOption(option);
            if (spec != null) {
                cli.getCommandSpec().remove(spec);
            }
        }
        cli.getSubcommands().values().forEach(RunOptions::withApplicableOptions);
        return cli;
    }

    /**
     * For a new run without --name: names it after its command and config ({@code prefix} "tune-" makes
     * tune-landcover).
     */
    List<Setting> defaultName(String prefix) {
        return name != null || resume != null ? List.of()
                : List.of(new Setting("run name " + prefix + "<config name>", c -> c.name = prefix + c.name));
    }

    /** Whether any option that changes the config was given. */
    boolean overridesAnything(List<Setting> commandSettings) {
        return !set.isEmpty() || !settings().isEmpty() || !commandSettings.isEmpty();
    }

    /**
     * The config of a new run: the file (or the built-in one), then each {@code --set}, then the named options and
     * {@code commandSettings} (a command's own options, e.g. tune's --candidates). Not used with --resume, where the run
     * folder's own config applies. An invalid value is blamed on where it came from (see {@link #resolve}).
     */
    RunConfig load(List<Setting> commandSettings) {
        if (resume != null) {
            requireNoOverrides(commandSettings);
        }
        return resolve(config == null ? "built-in " + RunConfigs.DEFAULT_RESOURCE : config.toString(),
                overrides -> RunConfigs.load(config, overrides), commandSettings);
    }

    RunConfig load() {
        return load(List.of());
    }

    /**
     * The run a command works in: the one to resume (--resume), or a new run of the {@link #load loaded} config; both
     * stopped by {@code stop}.
     */
    RunSource source(List<Setting> commandSettings, StopSignal stop) {
        return (resume != null ? RunSource.resume(requireNoOverrides(commandSettings))
                : RunSource.of(load(commandSettings))).stop(stop)
                .ui(uiPort != null ? uiPort : ui ? TrainingUi.DEFAULT_PORT : null);
    }

    private Path requireNoOverrides(List<Setting> commandSettings) {
        if (config != null || overridesAnything(commandSettings)) {
            throw new ConfigException("--resume continues a run with the config it was started with;"
                    + " it takes no --config or overrides");
        }
        return resume;
    }

    /**
     * Loads a config from {@code source} with the {@code --set} overrides, then applies the named settings and
     * {@code commandSettings} in order, checking the config after each. An invalid value is blamed on the source when
     * it is invalid on its own, otherwise on the first {@code --set} or option that makes it so (e.g.
     * "--alpha 1.5: distillation.alpha = 1.5 is invalid: ...").
     */
    RunConfig resolve(String source, Function<List<String>, RunConfig> loader, List<Setting> commandSettings) {
        RunConfig loaded;
        try {
            loaded = loader.apply(set);
        } catch (ConfigException invalid) {
            loader.apply(List.of());
            String prefix = source + ": ";
            for (int i = 1; i <= set.size(); i++) {
                try {
                    loader.apply(set.subList(0, i));
                } catch (ConfigException e) {
                    String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
                            : e.getMessage();
                    throw new ConfigException("--set " + set.get(i - 1) + ": " + detail, e);
                }
            }
            throw invalid;
        }
        List<Setting> all = new ArrayList<>(settings());
        all.addAll(commandSettings);
        for (Setting setting : all) {
            setting.apply().accept(loaded);
            RunConfigs.validate(loaded, setting.option());
        }
        return loaded;
    }
}
