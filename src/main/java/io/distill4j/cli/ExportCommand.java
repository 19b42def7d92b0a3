package io.distill4j.cli;

import io.distill4j.deploy.OnnxExport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code distill4j export}: a saved model (DL4J zip or compact file) as ONNX, float32 or int8. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a saved model (DL4J zip, or a compact file from prune/quantize) as ONNX, with its"
                + " pre-processing and class list in the metadata; evaluate, predict and benchmark run .onnx files with"
                + " ONNX Runtime.",
                "--int8 static: int8 weights and calibrated int8 activations (QDQ; ONNX Runtime runs int8 kernels)."
                        + " --int8 dynamic: activations quantized per batch (convolutions stay float32 in ONNX Runtime)."})
public final class ExportCommand implements Callable<Integer> {

    /** The export formats (ONNX only, for now). */
    public enum Format { ONNX }

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model distill4j saved.")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Format format = Format.ONNX;

    @Option(names = "--int8", paramLabel = "MODE", description = "static or dynamic int8 quantization (default: float32).")
    String int8;

    @Option(names = "--calibration-batches", defaultValue = "8",
            description = "Static int8: training batches that calibrate activation ranges (default: ${DEFAULT-VALUE}).")
    int calibrationBatches;

    @Option(names = "--out", paramLabel = "FILE", description = "Default: beside the model, MODEL[-int8-MODE].onnx.")
    Path out;

    public static OnnxExport.Result run(String... args) {
        ExportCommand command = new ExportCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command.run();
    }

    public OnnxExport.Result run() {
        OnnxExport.Precision precision = OnnxExport.Precision.ofInt8(int8);
        Path target = out;
        if (target == null) {
            String base = model.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            target = model.resolveSibling(base + (int8 == null ? "" : "-int8-" + int8.toLowerCase(Locale.ROOT)) + ".onnx");
        }
        return OnnxExport.export(model, target, precision, calibrationBatches);
    }

    @Override
    public Integer call() {
        OnnxExport.Result r = run();
        System.out.printf(Locale.ROOT, "written: %s (%s, %,d bytes, %d nodes)%n", r.file(), r.precision(), r.bytes(),
                r.nodes());
        return 0;
    }
}
