package io.distill4j.workflows;

import io.distill4j.compress.CompactModelFile;
import io.distill4j.compress.LevelPruner;
import io.distill4j.compress.Quantizer;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.DatasetSpec;
import io.distill4j.data.Split;
import io.distill4j.data.Task;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.Metrics;
import io.distill4j.loss.DistillationOutputLayer;
import io.distill4j.loss.DistillationTerm;
import io.distill4j.model.UNetFactory;
import io.distill4j.train.Distiller;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README, "Use it from Java": the examples there are copied from the regions of this test between the
 * {@code README:begin} and {@code README:end} markers, and {@link #theReadmeShowsThisTestsCode} fails when they drift.
 */
@Tag("e2e")
class UseItFromJavaTest {

    /**
     * Images whose pixel class is the brightest of three channels (easy to learn, far from chance: 1/3), labelled as
     * distill4j labels: class ids, {@code [N, 1, H, W]}.
     */
    private static DataSetIterator brightestChannel(int images, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, images, 3, 16, 16);
        INDArray classIds = Nd4j.argMax(features, 1).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .reshape(images, 1, 16, 16);
        return new ListDataSetIterator<>(new DataSet(features, classIds).asList(), 8);
    }

    /** A plain DL4J segmentation network: a convolution, a 1×1 conv named "logits", softmax cross-entropy. */
    private static ComputationGraph network(int width, long seed) {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(1e-2)).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(16, 16, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(width).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "input")
                .addLayer(UNetFactory.LOGITS, new ConvolutionLayer.Builder(1, 1).nOut(3)
                        .activation(Activation.IDENTITY).build(), "conv")
                // softmax cross-entropy on class ids (alpha 1: labels only), as distill4j's own networks end
                .addLayer("softmax", new DistillationOutputLayer.Builder().alpha(1.0).build(), UNetFactory.LOGITS)
                .setOutputs("softmax").build());
        graph.init();
        return graph;
    }

    @Test
    void distilEvaluateAndCompressOnYourOwnNetworksAndIterator(@TempDir Path dir) {
        DataSetIterator train = brightestChannel(128, 1);
        DataSetIterator test = brightestChannel(32, 2);
        ComputationGraph teacher = network(16, 1);
        teacher.fit(train, 8);
        ComputationGraph student = network(4, 2);

        // README:begin graphs
        // distil: any teacher and student with a "logits" vertex, any DataSetIterator, no run folder
        Distiller.Result distilled = Distiller.builder()
                .teacher(teacher).student(student)
                .terms(DistillationTerm.Kd.of(0.5, 2.0))        // alpha 0.5 on the labels, temperature 2
                .updater(new Adam(1e-2))
                .cacheTeacherOutputs(true)                      // one teacher pass, reused every epoch
                .build()
                .fit(train, 12);
        ComputationGraph small = distilled.student();           // without the training-only branches

        // evaluate: accuracy, mean IoU, per-class precision and recall
        Metrics metrics = new Metrics(Task.SEGMENTATION, 3, List.of("red", "green", "blue"), null);
        EvaluationResult scores = metrics.evaluate(small, test, 0);

        // compress: zero half the weights (one global threshold), int8 weights and calibrated activations
        new LevelPruner(0.5, Map.of(), true).prune(small, 1.0);
        Quantizer.Result int8 = Quantizer.quantize(small, QuantizeMode.STATIC, train, 4);
        CompactModelFile.save(int8.graph(), dir.resolve("student-int8.zip"), null, int8.weights(), Map.of());
        EvaluationResult compressed = metrics.evaluate(CompactModelFile.load(dir.resolve("student-int8.zip")), test, 0);
        // README:end

        assertEquals(12, distilled.epochs().size());
        assertTrue(distilled.epochs().stream().allMatch(e -> Double.isFinite(e.loss()) && e.teacherLoss() > 0));
        double teacherAccuracy = metrics.evaluate(teacher, test, 0).accuracy();
        assertTrue(teacherAccuracy > 0.8, "the teacher learned the rule: " + teacherAccuracy);
        assertTrue(scores.accuracy() > 0.6, "the distilled student is far above chance (1/3): " + scores);
        assertEquals(0.5, LevelPruner.report(int8.graph()).global(), 0.05);
        assertTrue(compressed.accuracy() > 0.5, "pruned and int8: " + compressed);
    }

    @Test
    void theSameWithRunFoldersThroughTheWorkflows(@TempDir Path dir) {
        // README:begin workflows
        RunConfig config = RunConfigs.load(Path.of("configs/landcover.yaml"), List.of());
        var tiles = new DatasetSpec.LandCover();               // data: one class per type, with its own options
        tiles.height = 16;
        tiles.width = 16;
        tiles.samples = 24;
        config.data = tiles;
        // README:end
        config.teacher.filters = List.of(4, 8);
        config.student.filters = List.of(2, 4);
        config.training.maxBatches = 2;
        config.training.maxEvalBatches = 1;
        config.training.batchSize = 4;
        config.output.mosaics = 0;
        config.output.runsDir = dir.resolve("runs").toString();
        config.output.modelsDir = dir.resolve("models").toString();
        // README:begin workflows
        config.name = "readme";
        config.training.epochs = 2;
        config.teacher.epochs = null;                          // both networks: training.epochs
        config.student.epochs = null;

        Training.Result teacher = Training.run(Training.Options.of(config, Training.Network.TEACHER));
        Training.Result student = Distillation.run(TeacherRun.of(config, teacher.promoted()));
        EvaluationResult test = Evaluation.run(Evaluation.Options.of(student.promoted())
                .split(Split.VALIDATION)).metrics();
        config.compress.quantize = QuantizeMode.DYNAMIC;
        CompressionResult int8 = Quantization.run(new CompressOptions(student.promoted(), config, null));
        System.out.println(int8.table());                      // size, parameters, speed and score of each stage
        // README:end

        assertEquals(dir.resolve("models/readme-student-distilled.zip"), student.promoted());
        assertTrue(Double.isFinite(test.meanIoU()), test.toString());
        assertTrue(Files.isRegularFile(int8.output()));
        assertEquals(3, int8.stages().size(), "the input file, its float32 weights, the int8 file: " + int8.table());
        assertTrue(int8.stages().get(2).name().startsWith("int8"), int8.table());
        assertEquals(int8.stages().get(0).metric(), int8.stages().get(2).metric(), 0.02, int8.table());
    }

    /** The README's "Use it from Java" code blocks are this test's marked regions, verbatim (less indentation). */
    @Test
    void theReadmeShowsThisTestsCode() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/distill4j/workflows/UseItFromJavaTest.java"));
        String readme = Files.readString(Path.of("README.md"));
        for (String region : List.of("graphs", "workflows")) {
            String snippet = region(source, region);
            assertTrue(readme.contains("```java\n" + snippet + "```\n"),
                    "README.md must show the '" + region + "' region of UseItFromJavaTest:\n" + snippet);
        }
    }

    /** The lines between every "README:begin NAME" and the next "README:end", joined, with 8 spaces removed. */
    static String region(String source, String name) {
        StringBuilder out = new StringBuilder();
        boolean in = false;
        for (String line : source.split("\n", -1)) {
            if (line.trim().equals("// README:begin " + name)) {
                in = true;
            } else if (in && line.trim().equals("// README:end")) {
                in = false;
            } else if (in) {
                out.append(line.startsWith("        ") ? line.substring(8) : line.strip()).append('\n');
            }
        }
        return out.toString();
    }
}
