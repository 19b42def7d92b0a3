package io.distill4j.data;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The iterators feed DL4J's own training loop, and the normalizer travels inside a model file. */
class Dl4jIntegrationTest {

    @Test
    void sparseLabelsTrainATinyNetworkOverSeveralEpochs(@TempDir Path dir) throws Exception {
        var spec = new DatasetSpec.LandCoverPatches();
        spec.samples = 40;
        spec.height = 16;
        spec.width = 16;
        spec.augment = true;
        Dataset dataset = Datasets.open(spec);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(1)
                .updater(new Adam(1e-2))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(new LossSparseMCXENT()).nOut(dataset.numClasses())
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(dataset.height(), dataset.width(), dataset.channels()))
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        DataSetIterator train = dataset.iterator(Split.TRAIN, 8, true);
        network.fit(train, 3);
        assertTrue(Double.isFinite(network.score()));
        assertEquals(dataset.size(Split.TEST), (int) network.output(dataset.iterator(Split.TEST, 8, false)).size(0));

        File model = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(network, model, false);
        ModelSerializer.addNormalizerToModel(model, dataset.normalizer());
        DataNormalization restored = ModelSerializer.restoreNormalizerFromFile(model);
        assertInstanceOf(ImagePreProcessingScaler.class, restored);
        DataSet raw = new DataSet(org.nd4j.linalg.factory.Nd4j.valueArrayOf(new long[]{1, 3, 2, 2}, 255f), null);
        restored.preProcess(raw);
        assertEquals(1.0, raw.getFeatures().maxNumber().doubleValue(), 1e-6);
    }
}
