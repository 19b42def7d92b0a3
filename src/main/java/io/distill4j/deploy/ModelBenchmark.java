package io.distill4j.deploy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.distill4j.eval.Benchmark;
import io.distill4j.eval.ProcessMemory;
import io.distill4j.model.FlopCount;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.util.Json;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link Benchmark}'s inference protocol on saved model files of any form (DL4J zip, compact file, {@code .onnx}):
 * a synthetic batch at the model's own input size, DL4J for zips and compact files, ONNX Runtime for {@code .onnx}.
 */
public final class ModelBenchmark {

    private ModelBenchmark() {
    }

    public static Benchmark.Result run(List<Path> models, Benchmark.Settings settings, Consumer<String> progress) {
        Nd4j.getRandom().setSeed(settings.seed());
        List<Benchmark.Measurement> measurements = new ArrayList<>();
        Map<String, Double> forwardGflop = new LinkedHashMap<>();
        for (Path file : models) {
            try (DeployedModel model = DeployedModel.open(file)) {
                Run.ModelInfo info = model.entry(Run.ENTRY_MODEL_INFO).map(ModelBenchmark::modelInfo)
                        .orElseThrow(() -> new IllegalArgumentException(file + " carries no model-info entry"
                                + " (not made by distill4j?): its input size is unknown"));
                INDArray features = Nd4j.rand(DataType.FLOAT, settings.batchSize(), info.channels(), info.height(), info.width());
                long flops = model instanceof DeployedModel.Dl4j d ? FlopCount.of(d.graph(),
                        InputType.convolutional(info.height(), info.width(), info.channels())).forward() : 0;
                String label = file.getFileName().toString();
                forwardGflop.put(label + "@" + info.height(), flops / 1e9);
                if (model instanceof OnnxModel onnx) {
                    try (OnnxTensor input = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                            FloatBuffer.wrap(features.dup('c').data().asFloat()), features.shape())) {
                        measurements.add(Benchmark.measure(label, info.height(), Benchmark.Step.INFERENCE, settings, flops,
                                () -> onnx.run(input), progress));
                    } catch (OrtException e) {
                        throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
                    }
                } else {
                    measurements.add(Benchmark.measure(label, info.height(), Benchmark.Step.INFERENCE, settings, flops,
                            () -> model.output(features), progress));
                }
            }
        }
        return new Benchmark.Result(Instant.now().toString(), Benchmark.machine(), settings, Double.NaN, forwardGflop,
                measurements, ProcessMemory.peakResidentBytes(), List.of());
    }

    /** One row per model: its file size, runtime, images/s and ms/image. */
    public static String markdown(Benchmark.Result result, List<Path> models) {
        StringBuilder md = new StringBuilder("# distill4j benchmark of saved models\n\n");
        md.append(String.format(Locale.ROOT, "%s · %s, %d cores (%s) · batch %d, median of %d repetitions\n\n",
                result.createdAt(), result.machine().cpu(), result.machine().cores(), result.machine().simd(),
                result.settings().batchSize(), result.settings().repetitions()));
        md.append("| model | runtime | size, bytes | input | inference img/s | ms/image |\n|---|---|---:|---|---:|---:|\n");
        for (int i = 0; i < models.size(); i++) {
            Benchmark.Measurement m = result.measurements().get(i);
            long bytes;
            try {
                bytes = Files.size(models.get(i));
            } catch (IOException e) {
                bytes = -1;
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %d×%d | %.2f | %.3f |%n", m.model(),
                    DeployedModel.isOnnx(models.get(i)) ? "onnxruntime" : "dl4j", bytes, m.size(), m.size(),
                    m.imagesPerSecond(), 1000.0 / m.imagesPerSecond()));
        }
        return md.toString();
    }

    private static Run.ModelInfo modelInfo(String json) {
        try {
            return Json.MAPPER.readValue(json, Run.ModelInfo.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable model-info entry: " + e.getMessage(), e);
        }
    }
}
