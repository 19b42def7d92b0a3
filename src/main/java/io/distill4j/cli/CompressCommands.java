package io.distill4j.cli;

import io.distill4j.compress.Compression;
import io.distill4j.config.RunConfig;
import io.distill4j.workflows.CompressionResult;
import io.distill4j.workflows.ModelConfigs;

import java.nio.file.Path;

/** What the prune, quantize and compress commands share: reading their config options, printing the result. */
final class CompressCommands {

    private CompressCommands() {
    }

    /** The run config: --config if given, else the one stored in the model; then --set and the named options. */
    static RunConfig config(RunOptions options, Path model) {
        if (options.resume != null) {
            throw new IllegalArgumentException("--resume does not apply to compression commands");
        }
        Compression.requireOurs(model); // before reading the config inside it: names a file that is not ours
        return ModelConfigs.of(model, options.config, options.overrides());
    }

    static void print(CompressionResult r) {
        System.out.println();
        System.out.println(r.table());
        System.out.println("run folder: " + r.runDir());
        System.out.println("model: " + r.output());
    }
}
