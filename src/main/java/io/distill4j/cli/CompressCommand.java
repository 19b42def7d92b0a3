package io.distill4j.cli;

import io.distill4j.workflows.CompressionPipeline;
import io.distill4j.workflows.CompressionResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code distill4j compress}: the {@link CompressionPipeline} (distill -> prune -> quantize) of one config, with a
 * table of every stage.
 */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Distill -> prune -> quantize as the config's compress section says; a table of every stage.")
public final class CompressCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", required = true, paramLabel = "MODEL_ZIP", description = "The trained teacher.")
    Path teacherFile;

    CompressionResult run() {
        return CompressionPipeline.run(new CompressionPipeline.Options(teacherFile,
                CompressCommands.config(options, teacherFile, List.of())));
    }

    @Override
    public Integer call() {
        CompressCommands.print(run());
        return 0;
    }
}
