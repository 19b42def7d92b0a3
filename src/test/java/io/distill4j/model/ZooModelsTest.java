package io.distill4j.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.model.ResNet50;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZooModelsTest {

    /** Keras' keras.applications.ResNet50(weights=None), 1000 classes: model.count_params(). */
    static final long KERAS_RESNET50 = 25_636_712L;

    @Test
    void resNet50ParameterCountsAgainstKeras() {
        ComputationGraph zoo = ZooModels.resnet50Original(1000, 3, 224, 224, 42);
        long dl4j = zoo.numParams();
        // Keras' 25,636,712 counts 53 batch normalisations' gamma, beta, moving mean and moving variance
        // (4 x 26,560 = 106,240 values, 53,120 of them non-trainable) and a bias in every convolution.
        // DL4J's zoo ResNet50 keeps the same 4 values per channel and the same biases: measured equal on 2026-12-01.
        assertEquals(KERAS_RESNET50, dl4j, "DL4J zoo ResNet50 parameters");
        zoo.close();
    }

    @Test
    void resNet50InDistill4jFormHasLogitsAndTheSameParameters() {
        ComputationGraph original = ZooModels.resnet50Original(10, 3, 224, 224, 42);
        ComputationGraph resnet = ZooModels.resnet50(10, 3, 224, 224, 42, 1.0, 1.0);
        assertEquals(original.numParams(), resnet.numParams());
        INDArray logits = Logits.of(resnet, Nd4j.rand(1, 3, 224, 224));
        assertArrayEquals(new long[]{1, 10}, logits.shape());
        original.close();
        resnet.close();
    }

    @Test
    void pretrainedWeightsOfflineAreAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ZooModels.pretrained(ResNet50.builder().build(), PretrainedType.IMAGENET));
        assertTrue(e.getMessage().contains("cannot load the pretrained IMAGENET weights of resnet50")
                && e.getMessage().contains("Train it from scratch instead"), e.getMessage());
    }
}
