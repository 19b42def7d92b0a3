package io.distill4j.loss;

import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationOutputLayerTest {

    private static final int CLASSES = 3;
    private static DataType previousDefault;

    @BeforeAll
    static void doublePrecision() {
        previousDefault = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(previousDefault, previousDefault);
    }

    /** input -> hidden (tanh) -> logits (identity) -> distillation output, in double precision. */
    private static ComputationGraph tinyGraph(boolean segmentation, double alpha, double t, Integer ignore) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(12).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in");
        if (segmentation) {
            g.setInputTypes(InputType.convolutional(5, 4, 2))
                    .addLayer("hidden", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build(), "in")
                    .addLayer("logits", new ConvolutionLayer.Builder(1, 1).nOut(CLASSES).activation(Activation.IDENTITY)
                            .build(), "hidden");
        } else {
            g.setInputTypes(InputType.feedForward(4))
                    .addLayer("hidden", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                    .addLayer("logits", new DenseLayer.Builder().nOut(CLASSES).activation(Activation.IDENTITY).build(),
                            "hidden");
        }
        g.addLayer("out", new DistillationOutputLayer.Builder().alpha(alpha).temperature(t).ignoreIndex(ignore).build(),
                "logits").setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    /** Class ids in [0, CLASSES) with every third entry set to the ignore index if there is one. */
    private static INDArray labels(long[] shape, boolean withTeacher, Integer ignore, Random random) {
        INDArray ids = Nd4j.zeros(DataType.DOUBLE, shape);
        long n = ids.length();
        for (long i = 0; i < n; i++) {
            ids.putScalar(i, ignore != null && i % 3 == 0 ? ignore : random.nextInt(CLASSES));
        }
        if (!withTeacher) {
            return ids;
        }
        long[] teacherShape = shape.clone();
        teacherShape[1] = CLASSES;
        return DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.DOUBLE, teacherShape).muli(2));
    }

    @ParameterizedTest(name = "segmentation={0} teacher={1} ignore={2}")
    @CsvSource({"false,false,", "false,true,", "false,true,1", "true,false,", "true,true,", "true,true,2",
            "true,false,7"})
    void passesDl4jGradientCheckInDoublePrecision(boolean segmentation, boolean withTeacher, Integer ignore) {
        Random random = new Random(3);
        ComputationGraph graph = tinyGraph(segmentation, 0.35, 2.5, ignore);
        INDArray input = segmentation ? Nd4j.rand(DataType.DOUBLE, 3, 2, 5, 4) : Nd4j.rand(DataType.DOUBLE, 6, 4);
        long[] labelShape = segmentation ? new long[]{3, 1, 5, 4} : new long[]{6, 1};
        INDArray labels = labels(labelShape, withTeacher, ignore, random);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[]{input}).labels(new INDArray[]{labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
        assertTrue(ok, "gradient check failed");
    }

    @Test
    void segmentationScoreIsTheMeanOverCountedPixels() {
        ComputationGraph graph = tinyGraph(true, 0.6, 2.0, 2);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 4);
        INDArray labels = labels(new long[]{2, 1, 5, 4}, true, 2, new Random(1));
        double score = graph.score(new DataSet(input, labels));
        INDArray logits = graph.feedForward(input, false).get("logits");
        INDArray rows = logits.permute(0, 2, 3, 1).dup('c').reshape(40, CLASSES);
        INDArray labelRows = labels.permute(0, 2, 3, 1).dup('c').reshape(40, 1 + CLASSES);
        DistillationLoss.Result expected = new DistillationLoss(0.6, 2.0, 2).compute(rows, labelRows);
        assertEquals(expected.meanLoss(), score, 1e-10);
        assertTrue(expected.validCount() < 40 && expected.validCount() > 0);
    }

    @Test
    void inferenceOutputIsSoftmaxOfTheLogitsAtTemperatureOne() {
        ComputationGraph graph = tinyGraph(true, 0.2, 5.0, null);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 4);
        INDArray probs = graph.outputSingle(input);
        INDArray logits = graph.feedForward(input, false).get("logits");
        INDArray exp = Transforms.exp(logits, true);
        INDArray expected = exp.div(exp.sum(true, 1).broadcast(exp.shape()));
        assertTrue(expected.equalsWithEps(probs, 1e-10));
        assertTrue(probs.sum(1).equalsWithEps(Nd4j.ones(DataType.DOUBLE, 2, 5, 4), 1e-10));
    }

    @Test
    void theSameGraphTrainsFromHardLabelsOrFromATeacher() {
        ComputationGraph graph = tinyGraph(true, 0.5, 2.0, null);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 4);
        Random random = new Random(5);
        graph.fit(new DataSet(input, labels(new long[]{2, 1, 5, 4}, false, null, random)));
        graph.fit(new DataSet(input, labels(new long[]{2, 1, 5, 4}, true, null, random)));
        assertTrue(Double.isFinite(graph.score()));
    }

    @Test
    void wrongLabelShapesAreClearErrors() {
        ComputationGraph graph = tinyGraph(true, 0.5, 2.0, null);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 4);
        INDArray wrongTeacher = Nd4j.zeros(DataType.DOUBLE, 2, 1 + CLASSES + 1, 5, 4);
        String message = assertThrows(IllegalArgumentException.class,
                () -> graph.fit(new DataSet(input, wrongTeacher))).getMessage();
        assertTrue(message.contains("the teacher gives 4 classes, the student 3"), message);
        INDArray wrongSize = Nd4j.zeros(DataType.DOUBLE, 2, 1, 4, 4);
        message = assertThrows(IllegalArgumentException.class, () -> graph.fit(new DataSet(input, wrongSize))).getMessage();
        assertTrue(message.contains("[2, 1, 4, 4]"), message);
        assertThrows(IllegalArgumentException.class, () -> new DistillationOutputLayer.Builder().alpha(2).build());
        assertThrows(IllegalArgumentException.class, () -> new DistillationOutputLayer.Builder().temperature(0).build());
    }

    @Test
    void uNetEndingInTheLayerSurvivesJsonAndModelSerializerRoundTrips(@TempDir Path dir) {
        UNetSpec spec = UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16).withLoss(0.4, 3.5, 5)
                .withDataType(DataType.FLOAT);
        ComputationGraph original = UNetFactory.build(spec);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        INDArray expected = original.outputSingle(input);

        String json = original.getConfiguration().toJson();
        ComputationGraphConfiguration fromJson = ComputationGraphConfiguration.fromJson(json);
        assertEquals(original.getConfiguration(), fromJson);
        DistillationOutputLayer layer = (DistillationOutputLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) fromJson.getVertices().get(UNetFactory.OUTPUT))
                .getLayerConf().getLayer();
        assertEquals(0.4, layer.getAlpha());
        assertEquals(3.5, layer.getTemperature());
        assertEquals(5, layer.getIgnoreIndex());
        ComputationGraph rebuilt = new ComputationGraph(fromJson);
        rebuilt.init(original.params().dup(), false);
        assertEquals(expected, rebuilt.outputSingle(input));

        Path file = dir.resolve("student.zip");
        ModelFiles.save(original, file, null);
        ComputationGraph restored = ModelFiles.load(file);
        assertEquals(original.getConfiguration(), restored.getConfiguration());
        assertEquals(expected, restored.outputSingle(input));
    }
}
