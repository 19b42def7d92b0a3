package io.distill4j.deploy;

import io.distill4j.compress.Quantizer;
import io.distill4j.data.Task;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxInt8Test {

    @TempDir
    Path dir;

    private static double maxDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    private static double meanDiff(INDArray a, INDArray b) {
        return org.nd4j.linalg.ops.transforms.Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)))
                .meanNumber().doubleValue();
    }

    @Test
    void int8FileIsUnderAThirdOfTheFloatFile() throws Exception {
        ComputationGraph graph = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32));
        var batch = new ListDataSetIterator<>(List.of(new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32),
                Nd4j.zeros(DataType.FLOAT, 2, 1, 32, 32))));
        Path float32 = dir.resolve("float.onnx");
        Path int8 = dir.resolve("int8.onnx");
        OnnxExport.write(graph, float32, null, Map.of());
        OnnxExport.write(graph, int8, OnnxExport.calibrate(graph, batch, 1), Map.of());
        double ratio = (double) Files.size(int8) / Files.size(float32);
        // int8 weights are a quarter; int32 biases, per-channel scales and the Q/DQ nodes add the rest (0.31 here)
        assertTrue(ratio < 0.34, "int8 / float32 file size " + ratio);
    }

    @Test
    void staticInt8RunsQLinearConvAndStaysWithinTheSimulatedModelsQuantizationError() throws Exception {
        Nd4j.getRandom().setSeed(7);
        ComputationGraph graph = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, 32, 32));
        INDArray calibration = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        var batches = new ListDataSetIterator<>(List.of(new DataSet(calibration, Nd4j.zeros(DataType.FLOAT, 4, 1, 32, 32))));

        Path file = dir.resolve("int8.onnx");
        Path optimized = dir.resolve("int8-optimized.onnx");
        OnnxExport.write(graph, file, OnnxExport.calibrate(graph, batches, 1), Map.of());
        INDArray int8;
        try (OnnxModel model = OnnxModel.open(file, optimized)) {
            int8 = model.output(x);
        }
        onnx.Onnx.ModelProto fused = onnx.Onnx.ModelProto.parseFrom(Files.readAllBytes(optimized));
        long qlinearConv = fused.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("QLinearConv")).count();
        // every 3x3 convolution but the logits reads and writes int8
        assertTrue(qlinearConv >= 8, "QLinearConv nodes in the optimised graph: " + qlinearConv + " of "
                + fused.getGraph().getNodeList().stream().map(onnx.Onnx.NodeProto::getOpType).toList());

        INDArray simulated = Quantizer.quantize(graph, io.distill4j.config.QuantizeMode.STATIC, batches, 1).graph().output(false, x)[0];
        INDArray exact = graph.output(false, x)[0];
        double quantizationError = maxDiff(simulated, exact);
        double runtimeError = maxDiff(int8, simulated);
        assertTrue(runtimeError <= quantizationError && meanDiff(int8, simulated) <= meanDiff(simulated, exact) * 1.5,
                "ONNX int8 vs simulated int8: max " + runtimeError + ", mean " + meanDiff(int8, simulated)
                        + "; simulated int8 vs float: max " + quantizationError + ", mean " + meanDiff(simulated, exact));
    }
}
