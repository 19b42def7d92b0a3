package io.distill4j.cli;

import io.distill4j.config.QuantizeMode;
import io.distill4j.workflows.CompressOptions;
import io.distill4j.workflows.CompressionResult;
import io.distill4j.workflows.Quantization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static io.distill4j.cli.RunOptions.Setting;

/**
 * {@code distill4j quantize}: {@link Quantization} of a saved model (int8 dynamic or static, or a float16/bfloat16
 * copy), with a before/after table. The input model is only read.
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

    CompressionResult run() {
        List<Setting> settings = new ArrayList<>(Setting.of("--mode", mode, c -> c.compress.quantize = mode));
        settings.addAll(Setting.of("--calibration-batches", calibrationBatches,
                c -> c.compress.calibrationBatches = calibrationBatches));
        return Quantization.run(new CompressOptions(model, CompressCommands.config(options, model, settings), out));
    }

    @Override
    public Integer call() {
        CompressCommands.print(run());
        return 0;
    }
}
