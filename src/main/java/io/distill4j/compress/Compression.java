package io.distill4j.compress;

import io.distill4j.config.PruneScope;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Split;
import io.distill4j.eval.InferenceTimer;
import io.distill4j.loss.DistillationOutputLayer;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.train.Run;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compression stages on a {@link Run} (its data, trainer and run folder): level or filter pruning with
 * fine-tuning, and quantization, each measured on the test split (metric), a fixed validation batch
 * ({@link InferenceTimer}) and its stored file. The input graph is never modified; every stage works on a copy.
 */
public final class Compression {

    private static final Logger log = LoggerFactory.getLogger(Compression.class);
    /** Entry describing what was done to a compressed model. */
    public static final String ENTRY_COMPRESSION = "compression.json";

    private final Run run;
    private final Map<String, String> entries;
    private final INDArray timingBatch;

    /**
     * @param entries distill4j entries to store in every file written (the source model's provenance and model
     *                info); the run's resolved config replaces the stored config
     */
    public Compression(Run run, Map<String, String> entries) {
        this.run = run;
        this.entries = new LinkedHashMap<>(entries);
        this.entries.put(Run.ENTRY_CONFIG, RunConfigs.toYaml(run.config()));
        this.timingBatch = run.data().iterator(Split.VALIDATION, run.config().training.batchSize, false).next()
                .getFeatures();
    }

    /** Requires a model zip made by distill4j (it carries its model info); names the file otherwise. */
    public static void requireOurs(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model file not found: " + model);
        }
        boolean ours;
        try {
            ours = ModelFiles.readEntry(model, Run.ENTRY_MODEL_INFO).isPresent();
        } catch (IllegalArgumentException e) {
            ours = false;
        }
        if (!ours) {
            throw new IllegalArgumentException(model + " is not a distill4j model (no " + ModelFiles.EXTRA_PREFIX
                    + Run.ENTRY_MODEL_INFO + " inside): compress models that train, distill or a compress command wrote");
        }
    }

    public Run run() {
        return run;
    }

    /** Measures a graph: test metric, latency, parameters, its file's size. */
    public Stage measure(String name, ComputationGraph graph, Path file, String note) {
        double metric = run.trainer().evaluate(graph, Split.TEST).result().mainScore();
        double ms = InferenceTimer.measure(graph, timingBatch.castTo(graph.params().dataType())).msPerImage();
        long nonZero = graph.params().length() - Layers.zeros(graph.params());
        Stage s = new Stage(name, graph.numParams(), nonZero, size(file), metric, ms, note);
        log.info("{}: {} parameters ({} non-zero), file {} bytes, {} {}, {} ms/image", name, s.parameters(),
                s.nonZero(), s.fileBytes(), metricName(), String.format(Locale.ROOT, "%.4f", metric),
                String.format(Locale.ROOT, "%.2f", ms));
        return s;
    }

    public String metricName() {
        return "test " + (run.data().task() == io.distill4j.data.Task.SEGMENTATION ? "mean_iou" : "accuracy");
    }

    /** The input model as given, and its float32 weights alone (the fair baseline for file sizes). */
    public List<Stage> baseline(String name, ComputationGraph graph, Path modelFile) {
        Path dense = run.folder().resolve(name + ".float32.zip");
        CompactModelFile.saveDense(graph, dense, run.data().normalizer(), entries);
        // a first timing of the process warms the JIT and oneDNN up; it is discarded
        InferenceTimer.measure(graph, timingBatch, 5, 5);
        Stage asGiven = measure(name + " (input file)", graph, modelFile, "DL4J zip, float32 + optimizer state");
        Stage weights = new Stage(name + " (float32 weights only)", asGiven.parameters(), asGiven.nonZero(),
                size(dense), asGiven.metric(), asGiven.msPerImage(), "DL4J zip without optimizer state");
        return List.of(asGiven, weights);
    }

    /** What pruning produced. */
    public record Pruned(ComputationGraph graph, Path file, List<Stage> stages, LevelPruner.Report sparsity) {
    }

    /** Level or filter pruning per {@code compress}, then fine-tuning; writes {@code out}. */
    public Pruned prune(ComputationGraph original, Path out) {
        RunConfig.CompressConfig c = run.config().compress;
        return switch (c.prune) {
            case LEVEL -> levelPrune(original, out);
            case FILTER -> filterPrune(original, out);
            case LOTTERY -> lottery(original, out);
            case NONE -> throw new IllegalArgumentException("compress.prune is none: nothing to prune");
        };
    }

    private Pruned levelPrune(ComputationGraph original, Path out) {
        RunConfig.CompressConfig c = run.config().compress;
        LevelPruner pruner = new LevelPruner(c.sparsity, c.layerSparsity, c.scope == PruneScope.GLOBAL);
        List<Stage> stages = new ArrayList<>();
        ComputationGraph graph = original.clone();
        int epochsLeft = c.epochs;
        for (int step = 1; step <= c.steps; step++) {
            double fraction = LevelPruner.schedule(step, c.steps);
            Map<String, INDArray> masks = pruner.prune(graph, fraction);
            String label = c.steps == 1 ? "" : " step " + step + "/" + c.steps;
            stages.add(measure(String.format(Locale.ROOT, "level-pruned %.0f%%%s, before fine-tuning",
                    100 * LevelPruner.report(graph).global(), label), graph, null, "in memory"));
            int epochs = epochsLeft / (c.steps - step + 1);
            epochsLeft -= epochs;
            if (epochs > 0) {
                ComputationGraph start = graph;
                TrainedModel tuned = run.trainer().train("level-pruned" + (c.steps == 1 ? "" : "-step" + step),
                        () -> start, null, epochs, false, List.of(new LevelPruner.MaskListener(masks)));
                graph = tuned.graph();
                LevelPruner.apply(graph, masks);
            }
        }
        LevelPruner.Report report = LevelPruner.report(graph);
        Map<String, String> stored = new LinkedHashMap<>(entries);
        stored.put(ENTRY_COMPRESSION, String.format(Locale.ROOT,
                "{\"method\":\"level\",\"scope\":\"%s\",\"sparsity\":%.4f,\"steps\":%d,\"fineTuneEpochs\":%d}", c.scope,
                report.global(), c.steps, c.epochs));
        Map<String, String> encodings = CompactModelFile.save(graph, out, run.data().normalizer(), Map.of(), stored);
        run.folder().writeText("level-pruned.sparsity.md", report.toMarkdown());
        stages.add(measure(String.format(Locale.ROOT, "level-pruned %.0f%%, fine-tuned %d epochs", 100 * report.global(),
                c.epochs), graph, out, "compact zip: " + summary(encodings)));
        return new Pruned(graph, out, stages, report);
    }

    /**
     * A lottery ticket of {@code original}'s architecture (its trained weights are not used: the ticket needs the
     * network's own initialisation and early weights, so it trains from the run's seed), and with
     * {@code compress.controls} the papers' controls at equal total epochs.
     */
    private Pruned lottery(ComputationGraph original, Path out) {
        RunConfig.CompressConfig c = run.config().compress;
        int epochs = c.roundEpochs != null ? c.roundEpochs : run.config().training.epochs;
        LotteryTicket.Settings settings = new LotteryTicket.Settings(c.sparsity, c.rounds, c.rewindEpoch, epochs,
                c.layerSparsity, c.scope == PruneScope.GLOBAL);
        LotteryTicket lottery = new LotteryTicket(run.trainer(), settings);
        ComputationGraph init = LotteryTicket.initialised(original.getConfiguration(), run.config().seed);
        LotteryTicket.Ticket ticket = lottery.find(init, "lottery");
        List<Stage> stages = new ArrayList<>();
        stages.add(measure(String.format(Locale.ROOT, "dense, trained %d epochs from initialisation", epochs),
                ticket.dense(), null, "in memory"));
        ComputationGraph graph = ticket.ticket().graph();
        LevelPruner.Report report = LevelPruner.report(graph);
        Map<String, String> stored = new LinkedHashMap<>(entries);
        stored.put(ENTRY_COMPRESSION, String.format(Locale.ROOT, "{\"method\":\"lottery\",\"scope\":\"%s\","
                + "\"sparsity\":%.4f,\"rounds\":%d,\"rewindEpoch\":%d,\"epochsPerRound\":%d}", c.scope,
                report.global(), c.rounds, c.rewindEpoch, epochs));
        Map<String, String> encodings = CompactModelFile.save(graph, out, run.data().normalizer(), Map.of(), stored);
        int total = (c.rounds + 1) * epochs;
        stages.add(measure(String.format(Locale.ROOT, "lottery ticket %.0f%%: %d rounds, rewound to epoch %d (%d epochs)",
                100 * report.global(), c.rounds, c.rewindEpoch, total), graph, out, "compact zip: " + summary(encodings)));
        if (c.controls) {
            LotteryTicket.Masked reinit = lottery.randomReinit(init, ticket.ticket().masks(), run.config().seed + 1,
                    "lottery-reinit");
            stages.add(measure(String.format(Locale.ROOT, "the ticket's mask, random re-initialisation (%d epochs)",
                    epochs), reinit.graph(), null, "control: in memory"));
            reinit.graph().close();
            LotteryTicket.Masked oneShot = lottery.oneShot(ticket.dense(), "lottery-oneshot");
            stages.add(measure(String.format(Locale.ROOT, "one-shot %.0f%% of the dense, fine-tuned %d epochs (%d in all)",
                    100 * LevelPruner.report(oneShot.graph()).global(), c.rounds * epochs, total), oneShot.graph(),
                    null, "control: in memory"));
            oneShot.graph().close();
            LotteryTicket.Masked gradual = lottery.gradual(ticket.dense(), "lottery-gradual");
            stages.add(measure(String.format(Locale.ROOT, "gradual %.0f%% of the dense in %d steps, fine-tuned %d epochs"
                    + " (%d in all)", 100 * LevelPruner.report(gradual.graph()).global(), c.rounds, c.rounds * epochs,
                    total), gradual.graph(), null, "control: in memory"));
            gradual.graph().close();
        }
        StringBuilder rounds = new StringBuilder("| round | sparsity | best validation score |\n|---:|---:|---:|\n");
        ticket.rounds().forEach(r -> rounds.append(String.format(Locale.ROOT, "| %d | %.3f | %.4f |%n", r.round(),
                r.sparsity(), r.validationScore())));
        run.folder().writeText("lottery.rounds.md", rounds.toString());
        run.folder().writeText("lottery.sparsity.md", report.toMarkdown());
        ticket.dense().close();
        return new Pruned(graph, out, stages, report);
    }

    /**
     * Per-layer pruning sensitivity on the validation split (not the test split: it is for choosing per-layer
     * sparsities); writes {@code sensitivity.md|csv} and {@code plots/sensitivity.png}.
     */
    public Sensitivity.Result sensitivity(ComputationGraph graph, List<Double> levels) {
        String metric = "validation " + (run.data().task() == io.distill4j.data.Task.SEGMENTATION ? "mean_iou"
                : "accuracy");
        Sensitivity.Result result = Sensitivity.analyse(graph, levels, metric,
                g -> run.trainer().validate(g).result().mainScore());
        run.folder().writeText("sensitivity.md", result.toMarkdown());
        run.folder().writeText("sensitivity.csv", result.toCsv());
        result.plot(run.folder().folder("plots").resolve("sensitivity.png"));
        return result;
    }

    private Pruned filterPrune(ComputationGraph original, Path out) {
        RunConfig.CompressConfig c = run.config().compress;
        FilterPruner.Result pruned = new FilterPruner(c.ratio).prune(original);
        ComputationGraph graph = pruned.graph();
        List<Stage> stages = new ArrayList<>();
        stages.add(measure(String.format(Locale.ROOT, "filter-pruned %.0f%%, before fine-tuning", 100 * c.ratio), graph,
                null, "in memory"));
        if (c.epochs > 0) {
            ComputationGraph start = c.distill ? withLoss(graph, run.config().distillation.alpha,
                    run.config().distillation.temperature) : graph;
            TrainedModel tuned = run.trainer().train("filter-pruned", () -> start, c.distill ? original : null,
                    c.epochs, false, List.of());
            graph = tuned.graph();
        }
        Map<String, String> stored = new LinkedHashMap<>(entries);
        stored.put(ENTRY_COMPRESSION, String.format(Locale.ROOT,
                "{\"method\":\"filter\",\"ratio\":%.4f,\"fineTuneEpochs\":%d,\"distilled\":%s}", c.ratio, c.epochs,
                c.distill));
        CompactModelFile.saveDense(graph, out, run.data().normalizer(), stored);
        stages.add(measure(String.format(Locale.ROOT, "filter-pruned %.0f%%, fine-tuned %d epochs%s", 100 * c.ratio,
                c.epochs, c.distill ? " (distilled from the unpruned model)" : ""), graph, out,
                "DL4J zip without optimizer state (a smaller dense graph)"));
        return new Pruned(graph, out, stages, LevelPruner.report(graph));
    }

    /** The same graph with the distillation loss settings of the run (a scratch-trained model has alpha 1). */
    static ComputationGraph withLoss(ComputationGraph graph, double alpha, double temperature) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        DistillationOutputLayer output = (DistillationOutputLayer) Layers.layerConf(conf, UNetFactory.OUTPUT);
        output.setAlpha(alpha);
        output.setTemperature(temperature);
        return Layers.withConfiguration(graph, conf);
    }

    /** What quantization produced. */
    public record Quantized(ComputationGraph graph, Path file, Stage stage) {
    }

    /** Quantizes per {@code compress.quantize} (dynamic, static, float16, bfloat16); writes {@code out}. */
    public Quantized quantize(ComputationGraph source, Path out) {
        RunConfig.CompressConfig c = run.config().compress;
        Map<String, String> stored = new LinkedHashMap<>(entries);
        if (c.quantize == QuantizeMode.NONE) {
            throw new IllegalArgumentException("compress.quantize is none: nothing to quantize");
        }
        if (c.quantize.dtype().isPresent()) {
            ComputationGraph graph = source.convertDataType(c.quantize.dtype().get().dataType());
            stored.put(ENTRY_COMPRESSION, "{\"method\":\"dtype\",\"dtype\":\"" + c.quantize + "\"}");
            CompactModelFile.saveDense(graph, out, run.data().normalizer(), stored);
            return new Quantized(graph, out, measure(c.quantize + " network", graph, out,
                    "DL4J zip, " + c.quantize + " weights; computes in " + c.quantize));
        }
        Quantizer.Result q = Quantizer.quantize(source, c.quantize,
                run.data().iterator(Split.TRAIN, run.config().training.batchSize, false), c.calibrationBatches);
        stored.put(ENTRY_COMPRESSION, "{\"method\":\"int8-" + c.quantize + "\",\"weights\":\"int8 per output channel\","
                + "\"activations\":\"" + (c.quantize == QuantizeMode.STATIC ? "8-bit, calibrated on " + c.calibrationBatches
                + " batches" : "8-bit, per-batch range") + " (simulated in float32)\"}");
        Map<String, String> encodings = CompactModelFile.save(q.graph(), out, run.data().normalizer(), q.weights(),
                stored);
        ComputationGraph reloaded = CompactModelFile.load(out);
        return new Quantized(reloaded, out, measure("int8 " + c.quantize, reloaded, out,
                "compact zip: " + summary(encodings) + "; computes in float32"));
    }

    private static String summary(Map<String, String> encodings) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        encodings.values().forEach(e -> counts.merge(e, 1, Integer::sum));
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(java.util.stream.Collectors.joining(", ")) + " arrays";
    }

    static long size(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return -1;
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
