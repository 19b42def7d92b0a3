package io.distill4j.compress;

import io.distill4j.config.QuantizeMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Post-training int8 quantization of a graph's weights (per-output-channel symmetric scales, {@link Int8Tensor}), with
 * simulated int8 activations ({@link FakeQuantActivation}) on every weighted layer's output except the logits:
 * <ul>
 *   <li>{@link QuantizeMode#DYNAMIC}: each batch's own activation range;</li>
 *   <li>{@link QuantizeMode#STATIC}: ranges calibrated once, the min and max seen on a few batches.</li>
 * </ul>
 * DL4J 1.0.0-M2.1 has no int8 convolution or matmul on the CPU: the quantized graph stores int8 weights (see
 * {@link CompactModelFile}) and computes in float32 with the dequantized weights {@code q · s}, so it reproduces the
 * int8 model's numbers, not its speed. Biases stay float32.
 */
public final class Quantizer {

    /**
     * @param graph   the quantized graph (float32 compute, dequantized weights, fake-quantized activations)
     * @param weights the int8 weights per layer, as stored
     * @param ranges  per layer, the calibrated activation range (static), or empty
     */
    public record Result(ComputationGraph graph, Map<String, Int8Tensor> weights, Map<String, double[]> ranges) {
    }

    private Quantizer() {
    }

    /**
     * Quantizes a copy of {@code source} (which is not modified).
     *
     * @param calibration batches for static calibration (ignored for dynamic)
     * @param batches     how many batches to calibrate on
     */
    public static Result quantize(ComputationGraph source, QuantizeMode mode, DataSetIterator calibration, int batches) {
        if (!mode.int8()) {
            throw new IllegalArgumentException("int8 quantization is dynamic or static, not " + mode);
        }
        Map<String, double[]> ranges = new LinkedHashMap<>();
        if (mode == QuantizeMode.STATIC) {
            if (calibration == null || batches < 1) {
                throw new IllegalArgumentException("static quantization needs at least one calibration batch");
            }
            ranges = calibrate(source, calibration, batches);
        }
        ComputationGraphConfiguration conf = source.getConfiguration().clone();
        for (String name : Layers.weighted(source)) {
            if (Layers.isLogits(name)) {
                continue;
            }
            BaseLayer layer = Layers.baseLayer(conf, name);
            var activation = unwrap(layer.getActivationFn());
            layer.setActivationFn(mode == QuantizeMode.DYNAMIC ? FakeQuantActivation.dynamic(activation)
                    : FakeQuantActivation.fixed(activation, ranges.get(name)[0], ranges.get(name)[1]));
        }
        ComputationGraph graph = Layers.withConfiguration(source, conf);
        return new Result(graph, quantizeWeights(graph), ranges);
    }

    /** Replaces every weight matrix of {@code graph} (in place) by its int8 round trip and returns the int8 tensors. */
    public static Map<String, Int8Tensor> quantizeWeights(ComputationGraph graph) {
        Map<String, Int8Tensor> weights = new LinkedHashMap<>();
        for (String name : Layers.weighted(graph)) {
            INDArray w = Layers.weights(graph, name);
            Int8Tensor q = Int8Tensor.quantize(w, Layers.outputAxis(Layers.layerConf(graph.getConfiguration(), name)));
            w.assign(q.dequantize());
            weights.put(name, q);
        }
        return weights;
    }

    /** Min and max of each weighted layer's output over {@code batches} batches (inference mode). */
    public static Map<String, double[]> calibrate(ComputationGraph graph, DataSetIterator data, int batches) {
        Map<String, double[]> ranges = new LinkedHashMap<>();
        if (data.resetSupported()) {
            data.reset();
        }
        for (int b = 0; b < batches && data.hasNext(); b++) {
            Map<String, INDArray> activations = graph.feedForward(data.next().getFeatures(), false);
            for (String name : Layers.weighted(graph)) {
                INDArray a = activations.get(name);
                double lo = a.minNumber().doubleValue();
                double hi = a.maxNumber().doubleValue();
                ranges.merge(name, new double[]{lo, hi},
                        (x, y) -> new double[]{Math.min(x[0], y[0]), Math.max(x[1], y[1])});
            }
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no calibration batches: the split is empty");
        }
        return ranges;
    }

    /** The activation inside a fake-quantized one (re-quantizing a QAT model replaces its tracker). */
    static org.nd4j.linalg.activations.IActivation unwrap(org.nd4j.linalg.activations.IActivation a) {
        return a instanceof FakeQuantActivation f ? f.getBase() : a;
    }
}
