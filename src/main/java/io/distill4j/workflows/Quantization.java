package io.distill4j.workflows;

import io.distill4j.compress.Compression;
import io.distill4j.compress.Stage;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-training int8 quantization (dynamic or static) or a float16/bfloat16 copy of a saved model, as its config's
 * {@code compress.quantize} says, with a before/after table. The input model is only read.
 */
public final class Quantization {

    private Quantization() {
    }

    public static CompressionResult run(CompressOptions options) {
        Path model = options.model();
        RunConfig config = CompressionRuns.config(model, options.config());
        QuantizeMode mode = config.compress.quantize;
        if (mode == QuantizeMode.NONE) {
            throw new IllegalArgumentException("compress.quantize is none: pass --mode");
        }
        Path target = CompressionRuns.output(options.out(), model, config, (mode.int8() ? "int8-" : "") + mode);
        ComputationGraph original = ModelFiles.load(model);
        return CompressionRuns.withRun(config, "quantize --model " + model, model, z -> {
            List<Stage> stages = new ArrayList<>(z.baseline("original", original, model));
            stages.add(z.quantize(original, target).stage());
            CompressionResult r = new CompressionResult(z.run().folder().dir(), target, z.metricName(), stages);
            z.run().folder().writeText("report.md", "# quantize " + model + " (" + mode + ")\n\n" + r.table());
            return r;
        });
    }
}
