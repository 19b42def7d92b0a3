package io.distill4j.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Dataset;
import io.distill4j.data.Datasets;
import io.distill4j.util.Json;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.Color;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run in progress: its resolved config, dataset, run folder (with config.yaml, provenance.json and run.log) and a
 * {@link Trainer}. Commands open one, train what they train, then report. {@link #resume} reopens a run folder and
 * its own config.yaml, so a resumed run continues exactly the run it was.
 */
public final class Run implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Run.class);
    /** Entry names inside saved model zips. */
    public static final String ENTRY_PROVENANCE = "provenance.json";
    public static final String ENTRY_CONFIG = "config.yaml";
    public static final String ENTRY_MODEL_INFO = "model-info.json";

    private final RunConfig config;
    private final Dataset data;
    private final RunFolder folder;
    private final Provenance provenance;
    private final Trainer trainer;
    private final AutoCloseable logging;
    private final io.distill4j.ui.TrainingStats stats;
    private final boolean resumed;

    private Run(RunConfig config, Dataset data, RunFolder folder, String command, StopSignal stop, boolean resumed) {
        this.config = config;
        this.folder = folder;
        this.resumed = resumed;
        this.logging = folder.logToFile();
        this.data = data;
        this.provenance = Provenance.capture(config.seed, data.name(), data.fingerprint(), command);
        if (!resumed) {
            folder.writeText(RunFolder.CONFIG, RunConfigs.toYaml(config));
        }
        folder.writeJson(RunFolder.PROVENANCE, provenance);
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(ENTRY_PROVENANCE, json(provenance));
        entries.put(ENTRY_CONFIG, RunConfigs.toYaml(config));
        entries.put(ENTRY_MODEL_INFO, json(ModelInfo.of(data)));
        this.trainer = new Trainer(config, data, folder, stop, entries);
        this.stats = io.distill4j.ui.TrainingStats.open(folder.dir());
        trainer.recordWith(stats::listeners);
        log.info("run {} in {}: data {} ({} train / {} validation / {} test, fingerprint {})", config.name,
                folder.dir(), data.name(), data.size(io.distill4j.data.Split.TRAIN),
                data.size(io.distill4j.data.Split.VALIDATION), data.size(io.distill4j.data.Split.TEST),
                data.fingerprint().substring(0, 12));
    }

    /** Starts a new run folder under {@code config.output.runsDir}. */
    public static Run start(RunConfig config, String command, StopSignal stop) {
        return start(config, command, stop, data -> {
        });
    }

    /**
     * Starts a new run folder once the data has opened and {@code check} (e.g. of a teacher against the data) has
     * passed, so a run that cannot start leaves no folder behind.
     */
    public static Run start(RunConfig config, String command, StopSignal stop,
                            java.util.function.Consumer<Dataset> check) {
        Dataset data = openData(config);
        check.accept(data);
        return new Run(config, data, RunFolder.create(Path.of(config.output.runsDir), config.name), command, stop, false);
    }

    /** Reopens an interrupted run with the config it was started with. */
    public static Run resume(Path runDir, String command, StopSignal stop) {
        RunFolder folder = RunFolder.open(runDir);
        RunConfig config = folder.readConfig();
        return new Run(config, openData(config), folder, command, stop, true);
    }

    /**
     * Opens a config's dataset, its split seed defaulting to the run's seed: the one definition of "the data of a
     * config" (and of its fingerprint) for runs, {@code evaluate} and {@code data inspect}.
     */
    public static Dataset openData(RunConfig config) {
        if (config.data.seed == null) {
            config.data.seed = config.seed;
        }
        return Datasets.open(config.data);
    }

    public RunConfig config() {
        return config;
    }

    public Dataset data() {
        return data;
    }

    public RunFolder folder() {
        return folder;
    }

    public Provenance provenance() {
        return provenance;
    }

    public Trainer trainer() {
        return trainer;
    }

    /** Trains a network on hard labels: a teacher, or a student from scratch. */
    public TrainedModel trainFromScratch(String name, RunConfig.NetworkConfig network) {
        return trainer.train(name, network(Trainer.spec(config, network, data, false), network), null, epochs(network),
                resumed, List.of());
    }

    /** Distills the student from a frozen teacher. */
    public TrainedModel distill(String name, ComputationGraph teacher) {
        return trainer.train(name, network(Trainer.spec(config, config.student, data, true), config.student), teacher,
                epochs(config.student), resumed, List.of());
    }

    /** Builds a config section's network (see {@link Trainer#build}). */
    static java.util.function.Supplier<ComputationGraph> network(io.distill4j.model.UNetSpec spec,
                                                                 RunConfig.NetworkConfig network) {
        return () -> Trainer.build(spec, network);
    }

    public int epochs(RunConfig.NetworkConfig network) {
        return network.epochs != null ? network.epochs : config.training.epochs;
    }

    @Override
    public void close() {
        stats.close();
        try {
            logging.close();
        } catch (Exception e) {
            log.warn("closing the run log failed: {}", e.toString());
        }
    }

    static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The input a model expects and the classes it predicts (names, colours as hex), stored with every model so
     * predictions can be made and drawn without the training data.
     */
    public record ModelInfo(String task, int channels, int height, int width, List<String> names, List<String> colors,
                            Integer ignoreIndex) {
        static ModelInfo of(Dataset data) {
            return new ModelInfo(data.task().name(), data.channels(), data.height(), data.width(), data.classNames(),
                    data.classColors().stream().map(ModelInfo::hex).toList(),
                    data.ignoreIndex().isPresent() ? data.ignoreIndex().getAsInt() : null);
        }

        private static String hex(Color c) {
            return String.format("#%02X%02X%02X", c.getRed(), c.getGreen(), c.getBlue());
        }

        public List<Color> palette() {
            return colors.stream().map(Color::decode).toList();
        }
    }
}
