package io.distill4j.deploy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.distill4j.eval.Benchmark;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@link Benchmark}'s inference on ONNX Runtime: the graph is exported (float32, or static int8 calibrated on the
 * benchmark batch itself) to a temporary file, and an iteration is one {@code session.run} on a tensor prepared once,
 * as {@link Benchmark#DL4J_INFERENCE} is one {@code output} call on a prepared array.
 */
public final class OnnxInference {

    private OnnxInference() {
    }

    /** The inference runtime for {@code runtime} (DL4J's own for {@link Benchmark.Engine#DL4J}). */
    public static Benchmark.InferenceRuntime of(Benchmark.Engine runtime) {
        return switch (runtime) {
            case DL4J -> Benchmark.DL4J_INFERENCE;
            case ONNX -> (graph, features) -> prepare(graph, features, false);
            case ONNX_INT8 -> (graph, features) -> prepare(graph, features, true);
        };
    }

    private static Benchmark.Inference prepare(ComputationGraph graph, INDArray features, boolean int8) {
        Path file;
        try {
            file = Files.createTempFile("distill4j-benchmark", ".onnx");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            // the labels are never read: calibration only runs the graph forward
            OnnxExporter.Int8Calibration calibration = int8 ? OnnxExport.calibrate(graph,
                    new ListDataSetIterator<>(List.of(new DataSet(features, features))), 1) : null;
            OnnxExport.write(graph, file, calibration, Map.of());
            OnnxModel model = OnnxModel.open(file);
            INDArray x = features.castTo(DataType.FLOAT).dup('c');
            OnnxTensor input = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                    FloatBuffer.wrap(x.data().asFloat()), x.shape());
            return new Benchmark.Inference() {
                @Override
                public void run() {
                    model.run(input);
                }

                @Override
                public void close() {
                    input.close();
                    model.close();
                }
            };
        } catch (OrtException e) {
            throw new IllegalStateException("cannot prepare ONNX Runtime inference: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file; the session already holds the model
            }
        }
    }
}
