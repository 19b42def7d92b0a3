package io.distill4j.cli;

import io.distill4j.compress.CompactModelFile;
import io.distill4j.compress.Compression;
import io.distill4j.compress.Stage;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** What prune, quantize and compress share: the model's own config (or --config), a run, the output path. */
public final class CompressCommands {

    private CompressCommands() {
    }

    /** The result of a compression command: its run folder, the file written and the measured stages. */
    public record Result(Path runDir, Path output, String metricName, List<Stage> stages) {
        public String table() {
            return Stage.table(metricName, stages);
        }
    }

    /** The run config: --config if given, else the one stored in the model; then the overrides. */
    static RunConfig config(RunOptions options, Path model, List<String> more) {
        if (options.resume != null) {
            throw new IllegalArgumentException("--resume does not apply to compression commands");
        }
        for (String assignment : more) {
            options.commandOptions.add(new RunOptions.Override(optionFor(assignment), List.of(assignment)));
        }
        return options.config != null ? options.resolve(options.config.toString(),
                overrides -> RunConfigs.load(options.config, overrides))
                : options.resolve(model + "!" + io.distill4j.train.Run.ENTRY_CONFIG,
                overrides -> EvaluateCommand.storedConfig(model, overrides));
    }

    /** The prune/quantize option that stands for a compress.* assignment, for error messages. */
    private static String optionFor(String assignment) {
        String key = assignment.substring(0, assignment.indexOf('='));
        String value = assignment.substring(assignment.indexOf('=') + 1);
        String option = switch (key.startsWith("compress.layerSparsity.") ? "compress.layerSparsity" : key) {
            case "compress.prune" -> "--method";
            case "compress.sparsity" -> "--sparsity";
            case "compress.scope" -> "--scope";
            case "compress.layerSparsity" -> "--layer-sparsity";
            case "compress.steps" -> "--steps";
            case "compress.ratio" -> "--ratio";
            case "compress.epochs" -> "--finetune-epochs";
            case "compress.distill" -> "--distill";
            case "compress.quantize" -> "--mode";
            case "compress.calibrationBatches" -> "--calibration-batches";
            default -> "--set " + key + "=";
        };
        return option.equals("--layer-sparsity") ? option + " " + key.substring("compress.layerSparsity.".length())
                + "=" + value : option.endsWith("=") ? option + value : option + " " + value;
    }

    /** Opens a run for compressing {@code model} and applies {@code body}; the model file is only read. */
    static <R> R withRun(RunConfig config, String command, Path model, Function<Compression, R> body) {
        try (Run run = Run.start(config, command, new StopSignal())) {
            return body.apply(new Compression(run, CompactModelFile.entries(model)));
        }
    }

    /** --out, or models/<input name>-<suffix>.zip; never the input itself. */
    static Path output(Path out, Path model, RunConfig config, String suffix) {
        Path target = out != null ? out : Path.of(config.output.modelsDir).resolve(
                model.getFileName().toString().replaceFirst("\\.zip$", "") + "-" + suffix + ".zip");
        if (target.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())
                || (Files.exists(target) && sameFile(target, model))) {
            throw new IllegalArgumentException("the output " + target + " is the input model: the input is never"
                    + " overwritten, choose another --out");
        }
        return target;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static void print(Result r) {
        System.out.println();
        System.out.println(r.table());
        System.out.println("run folder: " + r.runDir());
        System.out.println("model: " + r.output());
    }
}
