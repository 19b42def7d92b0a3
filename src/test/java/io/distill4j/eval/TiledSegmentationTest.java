package io.distill4j.eval;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TiledSegmentationTest {

    /** A per-pixel model (one 1×1 convolution and softmax): its prediction of a pixel does not depend on the tile. */
    private static ComputationGraph pixelModel() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(1, 1).nIn(3).nOut(4).activation(Activation.IDENTITY).build(), "in")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .build(), "conv")
                .setOutputs("out").setInputTypes(InputType.convolutional(16, 16, 3)).build());
        graph.init();
        return graph;
    }

    @Test
    void tilesCoverTheImageAtNativeScaleAndStitchToItsSize() {
        ComputationGraph model = pixelModel();
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 37, 23);
        TiledSegmentation tiled = new TiledSegmentation(model, 16, 16, 0.25);
        INDArray probabilities = tiled.probabilities(image);
        assertArrayEquals(new long[]{1, 4, 37, 23}, probabilities.shape());
        INDArray direct = model.outputSingle(image);
        assertTrue(direct.equalsWithEps(probabilities, 1e-5), "blending identical per-pixel predictions changes nothing");
        assertEquals(Metrics.predictedClassIds(direct).get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)),
                tiled.classIds(image));
    }

    @Test
    void anImageSmallerThanAPatchIsPaddedAndCroppedBack() {
        ComputationGraph model = pixelModel();
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 10, 12);
        INDArray probabilities = new TiledSegmentation(model, 16, 16, 0.5).probabilities(image);
        assertArrayEquals(new long[]{1, 4, 10, 12}, probabilities.shape());
        assertTrue(model.outputSingle(image).equalsWithEps(probabilities, 1e-5));
    }

    @Test
    void offsetsStartAtZeroEndAtTheEdgeAndOverlap() {
        assertArrayEquals(new int[]{0}, TiledSegmentation.offsets(16, 16, 12));
        assertArrayEquals(new int[]{0, 12, 21}, TiledSegmentation.offsets(37, 16, 12));
        assertArrayEquals(new int[]{0, 8, 16, 24}, TiledSegmentation.offsets(40, 16, 8));
        assertThrows(IllegalArgumentException.class, () -> new TiledSegmentation(pixelModel(), 16, 16, 1.0));
    }
}
