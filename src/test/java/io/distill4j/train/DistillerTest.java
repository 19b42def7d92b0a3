package io.distill4j.train;

import io.distill4j.data.Dataset;
import io.distill4j.data.Datasets;
import io.distill4j.data.DatasetSpec;
import io.distill4j.data.Split;
import io.distill4j.data.Task;
import io.distill4j.loss.DistillationTerm;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed distillation API on plain DL4J objects: no run folder, no config file. */
class DistillerTest {

    private static Dataset data() {
        var spec = new DatasetSpec.LandCover();
        spec.height = 16;
        spec.width = 16;
        spec.samples = 24;
        return Datasets.open(spec);
    }

    @Test
    void distilsAnyStudentWithLogitsFromATeacherWithLogitsOnAPlainIterator() {
        Dataset data = data();
        ComputationGraph teacher = UNetFactory.build(UNetSpec.of(List.of(4, 8), Task.SEGMENTATION, 3, 6, 16, 16));
        // a hand-built student: conv → logits → DL4J's own CnnLossLayer, which the distiller replaces
        ComputationGraph student = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(16, 16, 3))
                .addLayer("enc1_conv2", new ConvolutionLayer.Builder(3, 3).nOut(3)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.RELU)
                        .build(), "input")
                .addLayer(UNetFactory.LOGITS, new ConvolutionLayer.Builder(1, 1).nOut(6).activation(Activation.IDENTITY)
                        .build(), "enc1_conv2")
                .addLayer("softmax", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), UNetFactory.LOGITS)
                .setOutputs("softmax").build());
        student.init();
        INDArray before = student.getParam("enc1_conv2_W").dup();
        Distiller.Result result = Distiller.builder().teacher(teacher).student(student)
                .terms(DistillationTerm.Kd.of(0.5, 2.0), DistillationTerm.Cwd.of(1, 2.0), DistillationTerm.At.of(1, "enc1"))
                .updater(new Adam(1e-2)).build()
                .fit(data.iterator(Split.TRAIN, 8, true), 2);
        assertEquals(2, result.epochs().size());
        assertTrue(result.epochs().stream().allMatch(e -> Double.isFinite(e.loss()) && e.teacherLoss() > 0));
        ComputationGraph trained = result.student();
        assertEquals(List.of(UNetFactory.OUTPUT), trained.getConfiguration().getNetworkOutputs());
        assertNotEquals(before, trained.getParam("enc1_conv2_W"), "the student trained");
        INDArray probabilities = trained.outputSingle(Nd4j.rand(2, 3, 16, 16));
        assertArrayEquals(new long[]{2, 6, 16, 16}, probabilities.shape());
    }

    @Test
    void featureTermsOnLevelsTheNetworksLackNameBothAndTheValidOnes() {
        ComputationGraph teacher = UNetFactory.build(UNetSpec.of(List.of(4, 8), Task.SEGMENTATION, 3, 6, 16, 16));
        ComputationGraph student = UNetFactory.build(UNetSpec.of(List.of(2, 4), Task.SEGMENTATION, 3, 6, 16, 16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Distiller.builder()
                .teacher(teacher).student(student).terms(DistillationTerm.Hint.of(1, "enc4")).build()
                .fit(data().iterator(Split.TRAIN, 8, false), 1));
        assertTrue(e.getMessage().contains("enc4") && e.getMessage().contains("student or the teacher")
                && e.getMessage().contains("enc1, enc2, dec1"), e.getMessage());
    }

    @Test
    void trainingBranchesAreRemovedForInferenceWithTheSameWeights() {
        ComputationGraph teacher = UNetFactory.build(UNetSpec.of(List.of(4, 8), Task.SEGMENTATION, 3, 6, 16, 16));
        ComputationGraph student = UNetFactory.build(UNetSpec.of(List.of(2, 4), Task.SEGMENTATION, 3, 6, 16, 16));
        DistillationGraphs.TrainingGraph training = DistillationGraphs.forTraining(student, teacher,
                List.of(DistillationTerm.Kd.crossEntropy(), DistillationTerm.Hint.of(1, "enc2"),
                        DistillationTerm.At.of(1)));
        assertEquals(List.of("output", "fd_hint_enc2", "fd_at_enc1", "fd_at_enc2"),
                training.graph().getConfiguration().getNetworkOutputs());
        assertEquals(3, training.taps().size());
        ComputationGraph inference = DistillationGraphs.forInference(training.graph());
        assertEquals(student.numParams(), inference.numParams());
        INDArray x = Nd4j.rand(1, 3, 16, 16);
        assertEquals(student.outputSingle(x), inference.outputSingle(x));
    }
}
