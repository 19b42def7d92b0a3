package io.distill4j.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFilesTest {

    @Test
    void loadingSomethingElseNamesTheFile(@TempDir Path dir) throws IOException {
        Path notAModel = dir.resolve("notes.zip");
        Files.writeString(notAModel, "not a zip");
        String message = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(notAModel)).getMessage();
        assertTrue(message.contains(notAModel.toString()), message);
        message = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(dir.resolve("missing.zip")))
                .getMessage();
        assertTrue(message.contains("missing.zip"), message);
    }

    /**
     * ModelFiles writes DL4J's zip format itself, in one pass: DL4J's own reader must get back the configuration,
     * weights, Adam state and normalizer exactly, and the extra entries must be there, once each.
     */
    @Test
    void savedModelsRoundTripThroughDl4jsReader(@TempDir Path dir) throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(0.01))
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 6, 4), Nd4j.eye(3).repeat(0, 2).castTo(DataType.FLOAT));
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fit(batch);
        graph.fit(batch); // Adam's moments become nonzero
        Path file = dir.resolve("model.zip");

        ModelFiles.save(graph, file, normalizer, Map.of("provenance.json", "{\"seed\": 7, \"name\": \"größe\"}",
                "config.yaml", "seed: 7\n"));

        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file.toFile(), true);
        assertEquals(graph.getConfiguration().toJson(), restored.getConfiguration().toJson());
        assertEquals(graph.params(), restored.params());
        INDArray state = graph.getUpdater().getStateViewArray();
        assertTrue(state.sumNumber().doubleValue() != 0, "Adam state was not trained");
        assertEquals(state, restored.getUpdater().getStateViewArray());
        DataNormalization restoredNormalizer = ModelSerializer.restoreNormalizerFromFile(file.toFile());
        assertNotNull(restoredNormalizer);
        INDArray features = Nd4j.rand(DataType.FLOAT, 2, 4);
        INDArray expected = features.dup();
        normalizer.transform(expected);
        restoredNormalizer.transform(features);
        assertEquals(expected, features);
        assertEquals(Optional.of("{\"seed\": 7, \"name\": \"größe\"}"), ModelFiles.readEntry(file, "provenance.json"));
        assertEquals(Optional.of("seed: 7\n"), ModelFiles.readEntry(file, "config.yaml"));
        assertEquals(Optional.empty(), ModelFiles.readEntry(file, "absent"));
        assertEquals(restored.params(), ModelFiles.load(file).params());

        ModelFiles.save(graph, file, null, Map.of("config.yaml", "seed: 8\n")); // replaces the whole file
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertEquals(java.util.List.of(ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN,
                            ModelSerializer.UPDATER_BIN, ModelFiles.EXTRA_PREFIX + "config.yaml"),
                    zip.stream().map(java.util.zip.ZipEntry::getName).toList());
        }
        assertNull(ModelSerializer.restoreNormalizerFromFile(file.toFile()));
        assertEquals(Optional.of("seed: 8\n"), ModelFiles.readEntry(file, "config.yaml"));
    }
}
