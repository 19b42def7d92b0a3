package io.distill4j.workflows;

import io.distill4j.compress.CompactModelFile;
import io.distill4j.compress.Compression;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.train.Run;
import io.distill4j.train.StopSignal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** What pruning, quantization and the pipeline share: a checked config, a run, the output path. */
final class CompressionRuns {

    private CompressionRuns() {
    }

    /**
     * Requires a model distill4j made, then returns {@code config} (or the one stored in the model when null),
     * validated: a caller may have changed it field by field, and errors name the key and the value.
     */
    static RunConfig config(Path model, RunConfig config) {
        Compression.requireOurs(model);
        return RunConfigs.validate(config != null ? config : ModelConfigs.stored(model, List.of()),
                "config for " + model);
    }

    /** Opens a run for compressing {@code model} and applies {@code body}; the model file is only read. */
    static <R> R withRun(RunConfig config, String command, Path model, Function<Compression, R> body) {
        try (Run run = Run.start(config, command, new StopSignal())) {
            return body.apply(new Compression(run, CompactModelFile.entries(model)));
        }
    }

    /** {@code out}, or {@code <modelsDir>/<input name>-<suffix>.zip}; never the input itself. */
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
        } catch (IOException e) {
            return false;
        }
    }
}
