package io.distill4j.deploy;

import io.distill4j.compress.FilterPruner;
import io.distill4j.compress.LevelPruner;
import io.distill4j.data.Task;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxExporterTest {

    @TempDir
    Path dir;

    /** ONNX Runtime's output of the exported graph, for {@code x}. */
    private INDArray viaOnnx(ComputationGraph graph, INDArray x, String name) {
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(graph, file, null, Map.of());
        try (OnnxModel model = OnnxModel.open(file)) {
            return model.output(x);
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance, "max |DL4J - ONNX| = " + diff);
    }

    @ParameterizedTest
    @EnumSource(Task.class)
    void teacherAndStudentMatchDl4jOnRandomInputs(Task task) {
        for (List<Integer> filters : List.of(UNetSpec.STUDENT_FILTERS, UNetSpec.TEACHER_FILTERS)) {
            ComputationGraph graph = UNetFactory.build(UNetSpec.of(filters, task, 3, 6, 32, 32));
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
            INDArray expected = graph.output(false, x)[0];
            // the export runs at any size the U-Net takes, not just the one it was built for
            INDArray larger = Nd4j.rand(DataType.FLOAT, 1, 3, 48, 64);
            assertClose(expected, viaOnnx(graph, x, task + "-" + filters.get(0)), 1e-4);
            assertClose(graph.output(false, larger)[0], viaOnnx(graph, larger, task + "-" + filters.get(0) + "-larger"), 1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(Task.class)
    void theClassSoftmaxIsBuiltFromReductionsAndStaysExactForLargeLogits(Task task) {
        ComputationGraph graph = UNetFactory.build(UNetSpec.of(List.of(4, 8), task, 3, 6, 16, 16));
        // logits in the hundreds: exp without subtracting the maximum would overflow to inf and give NaN
        graph.getLayer(UNetFactory.LOGITS).params().muli(300);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        INDArray expected = graph.output(false, x)[0];
        assertTrue(graph.feedForward(x, false).get(UNetFactory.LOGITS).amaxNumber().doubleValue() > 100);
        assertClose(expected, viaOnnx(graph, x, "large-" + task), 1e-5);
        // ONNX Runtime's Softmax over a non-last axis was 9x slower than the reductions (README, "Deployment")
        List<String> ops = OnnxExporter.export(graph, null, Map.of()).getGraph().getNodeList().stream()
                .map(onnx.Onnx.NodeProto::getOpType).toList();
        assertTrue(!ops.contains("Softmax") && ops.contains("ReduceMax") && ops.contains("ReduceSum"), ops.toString());
    }

    @Test
    void levelPrunedAndFilterPrunedModelsMatch() {
        ComputationGraph graph = UNetFactory.build(UNetSpec.of(List.of(6, 10, 14), Task.SEGMENTATION, 3, 4, 16, 16));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        ComputationGraph filterPruned = new FilterPruner(0.5).prune(graph).graph();
        new LevelPruner(0.7, Map.of()).prune(graph, 1.0);
        assertClose(graph.output(false, x)[0], viaOnnx(graph, x, "level"), 1e-4);
        assertClose(filterPruned.output(false, x)[0], viaOnnx(filterPruned, x, "filter"), 1e-4);
    }

    @Test
    void pythonOnnxCheckerAcceptsTheFiles() throws Exception {
        Path seg = dir.resolve("seg.onnx");
        Path cls = dir.resolve("cls.onnx");
        Path int8 = dir.resolve("int8.onnx");
        ComputationGraph segmentation = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32));
        OnnxExport.write(segmentation, seg, null, Map.of());
        OnnxExport.write(UNetFactory.build(UNetSpec.student(Task.CLASSIFICATION, 1, 10, 16, 16)), cls, null, Map.of());
        OnnxExport.write(segmentation, int8, OnnxExport.calibrate(segmentation,
                new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(List.of(new org.nd4j.linalg.dataset.DataSet(
                        Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32), Nd4j.zeros(DataType.FLOAT, 2, 1, 32, 32)))), 1), Map.of());
        for (Path file : List.of(seg, cls, int8)) {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c",
                    "import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print('ok')",
                    file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "onnx.checker on " + file + ":\n" + out);
        }
    }

    @Test
    void anUnknownLayerIsAnErrorNamingItAndItsType() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).build(), "input")
                .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).build(), "bn")
                .setOutputs("out").build());
        graph.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.write(graph, dir.resolve("bn.onnx"), null, Map.of()));
        assertTrue(e.getMessage().contains("\"bn\"") && e.getMessage().contains("BatchNormalization"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("bn.onnx")));
    }

    @Test
    void aFileThatIsNotOursOrTruncatedIsAClearError() throws IOException {
        ComputationGraph graph = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 16, 16));
        Path good = dir.resolve("good.onnx");
        OnnxExport.write(graph, good, null, Map.of());
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.onnx"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.open(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());

        // a valid ONNX model without distill4j's metadata
        onnx.Onnx.ModelProto foreign = onnx.Onnx.ModelProto.parseFrom(bytes).toBuilder().clearMetadataProps().build();
        Path notOurs = Files.write(dir.resolve("foreign.onnx"), foreign.toByteArray());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.open(notOurs));
        assertTrue(e.getMessage().contains("not a distill4j ONNX model"), e.getMessage());

        Path text = Files.writeString(dir.resolve("text.onnx"), "hello");
        assertThrows(IllegalArgumentException.class, () -> OnnxModel.open(text));
    }

    @Test
    void onnxRuntimeUsesAsManyThreadsAsNd4jsOpenMp() {
        assertEquals(1, OnnxModel.intraOpThreads("1"));
        assertEquals(3, OnnxModel.intraOpThreads(" 3 "));
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, OnnxModel.intraOpThreads(null));
        assertEquals(cores, OnnxModel.intraOpThreads("many"));
        assertEquals(1, OnnxModel.intraOpThreads("0"));
    }
}
