package io.distill4j.cli;

import io.distill4j.compress.Compression;
import io.distill4j.compress.Stage;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
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
 * {@code distill4j quantize}: post-training int8 quantization (dynamic or static) or a float16/bfloat16 copy of a saved
 * model, with a before/after table. The input model is only read.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a saved model: int8 weights (per-output-channel scales) with simulated int8 activations"
                + " (dynamic: per batch; static: calibrated), or float16/bfloat16 weights.",
                "DL4J M2.1 has no int8 kernels on the CPU: the int8 file is ~4x smaller, the model computes in float32."})
public final class QuantizeCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP", description = "A model distill4j saved.")
    Path model;

    @Option(names = "--mode", description = "${COMPLETION-CANDIDATES} (default: compress.quantize, static)")
    QuantizeMode mode;

    @Option(names = "--calibration-batches", description = "Static: training batches used to calibrate activations.")
    Integer calibrationBatches;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the quantized model.")
    Path out;

    public static CompressCommands.Result run(String... args) {
        QuantizeCommand command = new QuantizeCommand();
        RunOptions.withApplicableOptions(new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)).parseArgs(args);
        return command.run();
    }

    public CompressCommands.Result run() {
        Compression.requireOurs(model);
        List<String> set = new ArrayList<>();
        if (mode != null) {
            set.add("compress.quantize=" + mode);
        }
        if (calibrationBatches != null) {
            set.add("compress.calibrationBatches=" + calibrationBatches);
        }
        RunConfig config = CompressCommands.config(options, model, set);
        if (config.compress.quantize == QuantizeMode.NONE) {
            throw new IllegalArgumentException("compress.quantize is none: pass --mode");
        }
        String suffix = (config.compress.quantize.int8() ? "int8-" : "") + config.compress.quantize;
        Path target = CompressCommands.output(out, model, config, suffix);
        ComputationGraph original = ModelFiles.load(model);
        return CompressCommands.withRun(config, "quantize --model " + model, model, z -> {
            List<Stage> stages = new ArrayList<>(z.baseline("original", original, model));
            stages.add(z.quantize(original, target).stage());
            CompressCommands.Result r = new CompressCommands.Result(z.run().folder().dir(), target, z.metricName(), stages);
            z.run().folder().writeText("report.md", "# quantize " + model + " (" + config.compress.quantize + ")\n\n"
                    + r.table());
            return r;
        });
    }

    @Override
    public Integer call() {
        CompressCommands.print(run());
        return 0;
    }
}
