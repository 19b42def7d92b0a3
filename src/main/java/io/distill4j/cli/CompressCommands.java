package io.distill4j.cli;

import io.distill4j.compress.Compression;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.train.Run;
import io.distill4j.workflows.CompressionResult;
import io.distill4j.workflows.ModelConfigs;

import java.nio.file.Path;
import java.util.List;

/** What the prune, quantize and compress commands share: reading their config options, printing the result. */
final class CompressCommands {

    private CompressCommands() {
    }

    /**
     * The run config: --config if given, else the one stored in the model; then --set, the named options and the
     * command's own {@code settings}, each bad value blamed on the option that gave it.
     */
    static RunConfig config(RunOptions options, Path model, List<RunOptions.Setting> settings) {
        if (options.resume != null) {
            throw new IllegalArgumentException("--resume does not apply to compression commands");
        }
        Compression.requireOurs(model); // before reading the config inside it: names a file that is not ours
        return options.config != null
                ? options.resolve(options.config.toString(), set -> RunConfigs.load(options.config, set), settings)
                : options.resolve(model + "!" + Run.ENTRY_CONFIG, set -> ModelConfigs.stored(model, set), settings);
    }

    static void print(CompressionResult r) {
        System.out.println();
        System.out.println(r.table());
        System.out.println("run folder: " + r.runDir());
        System.out.println("model: " + r.output());
    }
}
