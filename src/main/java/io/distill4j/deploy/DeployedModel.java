package io.distill4j.deploy;

import io.distill4j.compress.CompactModelFile;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.Metrics;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Any model file distill4j writes, opened for inference: a DL4J zip ({@code train}, {@code distill}), a compact file
 * ({@code prune}, {@code quantize}) or a {@code .onnx} export. {@code evaluate}, {@code predict} and
 * {@code benchmark} read models through this, so all of them take every form and score it with the same metrics.
 */
public interface DeployedModel extends AutoCloseable {

    /** Probabilities for a batch of normalised images ({@code [N, C, H, W]} or {@code [N, C]}). */
    INDArray output(INDArray features);

    /** A distill4j text entry (config.yaml, model-info.json, provenance.json), if the file carries it. */
    Optional<String> entry(String name);

    /** The input normaliser stored with the model, or null. */
    DataNormalization normalizer();

    Path file();

    /** "dl4j" or "onnxruntime". */
    String runtime();

    @Override
    void close();

    /** Whether a path names an ONNX model (by its extension). */
    static boolean isOnnx(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /** Opens a model file of any of distill4j's forms; the file is only read. */
    static DeployedModel open(Path file) {
        return isOnnx(file) ? OnnxModel.open(file) : new Dl4j(file, CompactModelFile.load(file));
    }

    /** Scores the model over {@code data} with {@code metrics}, as {@link Metrics#evaluate} does for a graph. */
    default EvaluationResult evaluate(Metrics metrics, DataSetIterator data, int maxBatches) {
        if (data.resetSupported()) {
            data.reset();
        }
        Metrics.Accumulator accumulator = metrics.accumulator();
        int batches = 0;
        while (data.hasNext() && (maxBatches <= 0 || batches < maxBatches)) {
            DataSet batch = data.next();
            accumulator.add(output(batch.getFeatures()), batch.getLabels());
            batches++;
        }
        return accumulator.result();
    }

    /** A DL4J graph (from a DL4J zip or a compact file). */
    record Dl4j(Path file, ComputationGraph graph) implements DeployedModel {
        @Override
        public INDArray output(INDArray features) {
            return graph.output(false, features)[0];
        }

        @Override
        public Optional<String> entry(String name) {
            return ModelFiles.readEntry(file, name);
        }

        @Override
        public DataNormalization normalizer() {
            return ModelFiles.loadNormalizer(file);
        }

        @Override
        public String runtime() {
            return "dl4j";
        }

        @Override
        public void close() {
            graph.close();
        }
    }
}
