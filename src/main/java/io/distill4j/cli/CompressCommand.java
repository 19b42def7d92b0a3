package io.distill4j.cli;

import io.distill4j.compress.Compression;
import io.distill4j.compress.Stage;
import io.distill4j.config.PruneMethod;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.TrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code distill4j compress}: the whole pipeline of one config: distill the student from a teacher, prune it
 * ({@code compress.prune}), quantize it ({@code compress.quantize}), and tabulate every stage.
 */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Distill -> prune -> quantize as the config's compress section says; a table of every stage.")
public final class CompressCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", required = true, paramLabel = "MODEL_ZIP", description = "The trained teacher.")
    Path teacherFile;

    public static CompressCommands.Result run(String... args) {
        CompressCommand command = new CompressCommand();
        RunOptions.withApplicableOptions(new CommandLine(command)).parseArgs(args);
        return command.run();
    }

    public CompressCommands.Result run() {
        Compression.requireOurs(teacherFile);
        RunConfig config = CompressCommands.config(options, teacherFile, List.of());
        ComputationGraph teacher = ModelFiles.load(teacherFile);
        return CompressCommands.withRun(config, "compress --teacher " + teacherFile, teacherFile, z -> {
            DistillCommand.checkCompatible(teacher, teacherFile, z.run());
            List<Stage> stages = new ArrayList<>(z.baseline("teacher", teacher, teacherFile));
            TrainedModel student = z.run().distill("student", teacher);
            stages.addAll(z.baseline("student (distilled)", student.graph(), student.modelFile()));
            ComputationGraph last = student.graph();
            Path dir = z.run().folder().dir();
            if (config.compress.prune != PruneMethod.NONE) {
                Compression.Pruned pruned = z.prune(last, dir.resolve("student-pruned.zip"));
                stages.addAll(pruned.stages());
                last = pruned.graph();
            }
            Path output = dir.resolve("student-compressed.zip");
            if (config.compress.quantize != QuantizeMode.NONE) {
                stages.add(z.quantize(last, dir.resolve("student-compressed.zip")).stage());
            } else if (config.compress.prune != PruneMethod.NONE) {
                output = dir.resolve("student-pruned.zip");
            } else {
                output = student.modelFile();
            }
            CompressCommands.Result r = new CompressCommands.Result(dir, output, z.metricName(), stages);
            z.run().folder().writeText("report.md", "# compress: distill -> " + config.compress.prune + " pruning -> "
                    + config.compress.quantize + " quantization\n\n" + r.table());
            return r;
        });
    }

    @Override
    public Integer call() {
        CompressCommands.print(run());
        return 0;
    }
}
