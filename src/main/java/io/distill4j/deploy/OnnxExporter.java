package io.distill4j.deploy;

import io.distill4j.compress.FakeQuantActivation;
import io.distill4j.compress.Int8Tensor;
import io.distill4j.compress.Layers;
import io.distill4j.loss.DistillationOutputLayer;
import io.distill4j.model.DirectMaxPooling2D;
import io.distill4j.model.SingleForwardConvolution2D;
import io.distill4j.model.SingleForwardDeconvolution2D;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates a DL4J {@link ComputationGraph} (the U-Nets of {@code UNetFactory} at any width, level- or
 * filter-pruned, quantized) into an ONNX model (opset {@value #OPSET}), with the protobuf classes that ship inside
 * nd4j-api. Vertex by vertex, in topological order: convolution → {@code Conv}, Deconvolution2D →
 * {@code ConvTranspose}, max/average subsampling → {@code MaxPool}/{@code AveragePool}, global pooling →
 * {@code GlobalAveragePool}/{@code GlobalMaxPool} + {@code Flatten}, dense → {@code Gemm}, merge → {@code Concat},
 * dropout → nothing (inference), distillation output → softmax over the class axis (from reductions, see {@link #softmaxOverClasses}). Anything else is an
 * error that names the vertex and its type: a silently wrong model is worse than none.
 *
 * <p>With an {@link Int8Calibration} the model is written in QDQ form (QuantizeLinear/DequantizeLinear pairs, the
 * representation ONNX Runtime's graph optimiser fuses into int8 kernels such as {@code QLinearConv}): int8 weights
 * with one symmetric scale per output channel ({@link Int8Tensor}, as the simulated int8 model stores them), int32
 * biases at scale {@code s_x · s_w}, and uint8 activations (asymmetric, the range including 0, as
 * {@link FakeQuantActivation}) on the image, on every weighted layer's output but the logits, and after pooling and
 * concatenation (a concatenation is re-quantized over the union of its inputs' ranges), so every weighted layer reads
 * a dequantized tensor. uint8 activations with int8 weights is the combination ONNX Runtime's x86 kernels (VNNI)
 * run fastest.
 */
public final class OnnxExporter {

    public static final int OPSET = 13;
    public static final long IR_VERSION = 8;
    /** The graph input: images {@code [batch, channels, height, width]}, normalised as the model was trained. */
    public static final String INPUT = "input";
    /**
     * The convolution configurations exported as Conv / ConvTranspose: exactly these classes (DL4J's and distill4j's
     * single-forward ones, equal at inference); other subclasses (depthwise, separable, 1D ...) are not the same op.
     */
    private static final Set<Class<?>> CONVOLUTIONS = Set.of(ConvolutionLayer.class, Deconvolution2D.class,
            SingleForwardConvolution2D.class, SingleForwardDeconvolution2D.class);
    /** The pooling configurations exported as MaxPool / AveragePool: DL4J's and distill4j's direct one. */
    private static final Set<Class<?>> POOLINGS = Set.of(SubsamplingLayer.class, DirectMaxPooling2D.class);

    /**
     * How to quantize activations for int8 export.
     *
     * @param input   static: min and max of the (normalised) input images
     * @param layers  static: per weighted layer, min and max of its output (after the activation)
     * @param dynamic each batch's own range (DynamicQuantizeLinear), as DL4J's dynamic mode; ONNX Runtime computes
     *                such a model's convolutions in float32 with the int8 weights dequantized
     */
    public record Int8Calibration(double[] input, Map<String, double[]> layers, boolean dynamic) {
        public Int8Calibration {
            layers = Map.copyOf(layers);
            if (!dynamic && input == null) {
                throw new IllegalArgumentException("static int8 export needs the input's calibrated range");
            }
        }

        public static Int8Calibration of(double[] input, Map<String, double[]> layers) {
            return new Int8Calibration(input, layers, false);
        }

        public static Int8Calibration dynamicRanges() {
            return new Int8Calibration(null, Map.of(), true);
        }
    }

    /** uint8 affine quantization parameters. */
    record QParams(float scale, int zeroPoint) {
        /** Over {@code [lo, hi]} widened to contain 0, 256 levels: {@link FakeQuantActivation}'s grid. */
        static QParams of(double lo, double hi) {
            double l = Math.min(lo, 0);
            double h = Math.max(hi, 0);
            double scale = h > l ? (h - l) / (FakeQuantActivation.LEVELS - 1) : 1.0 / (FakeQuantActivation.LEVELS - 1);
            int zeroPoint = (int) Math.max(0, Math.min(255, Math.round(-l / scale)));
            return new QParams((float) scale, zeroPoint);
        }

        double lo() {
            return -zeroPoint * (double) scale;
        }

        double hi() {
            return (255 - zeroPoint) * (double) scale;
        }
    }

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final Int8Calibration int8;
    private final Onnx.GraphProto.Builder onnx = Onnx.GraphProto.newBuilder();
    /** The ONNX tensor that holds each DL4J vertex's output. */
    private final Map<String, String> tensorOf = new HashMap<>();
    /** Tensors that are DequantizeLinear outputs, with their quantization. */
    private final Map<String, QParams> quantized = new HashMap<>();
    private int nodes;

    private OnnxExporter(ComputationGraph graph, Int8Calibration int8) {
        this.graph = graph;
        this.conf = graph.getConfiguration();
        this.int8 = int8;
    }

    /**
     * The ONNX model of {@code graph} (which is only read).
     *
     * @param int8     activation ranges for a QDQ int8 model, or null for float32
     * @param metadata key/value pairs stored as the model's metadata
     */
    public static Onnx.ModelProto export(ComputationGraph graph, Int8Calibration int8, Map<String, String> metadata) {
        OnnxExporter exporter = new OnnxExporter(graph, int8);
        exporter.translate();
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("distill4j")
                .setProducerVersion(io.distill4j.util.Versions.distill4j())
                .setGraph(exporter.onnx)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        metadata.forEach((k, v) -> model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    private void translate() {
        onnx.setName("distill4j");
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (graph.getVertex(name).isInputVertex()) {
                addInput(name);
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            List<String> inputs = conf.getVertexInputs().get(name).stream().map(tensorOf::get).toList();
            if (vertex instanceof MergeVertex) {
                tensorOf.put(name, concat(name, inputs));
            } else if (vertex instanceof LayerVertex lv) {
                if (lv.getPreProcessor() != null) {
                    throw unsupported(name, "input preprocessor " + lv.getPreProcessor().getClass().getSimpleName());
                }
                if (inputs.size() != 1) {
                    throw unsupported(name, "layer with " + inputs.size() + " inputs");
                }
                tensorOf.put(name, layer(name, lv.getLayerConf().getLayer(), inputs.get(0)));
            } else {
                throw unsupported(name, vertex.getClass().getSimpleName());
            }
        }
        for (String output : conf.getNetworkOutputs()) {
            String tensor = tensorOf.get(output);
            if (!tensor.equals(output)) {
                node("Identity", List.of(tensor), output, Map.of());
            }
            // probabilities [batch, classes, height, width] for segmentation, [batch, classes] after global pooling
            boolean pooled = graph.getConfiguration().getVertices().values().stream().anyMatch(v -> v instanceof LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof GlobalPoolingLayer g && g.isCollapseDimensions());
            onnx.addOutput(Onnx.ValueInfoProto.newBuilder().setName(output).setType(floatType(pooled
                    ? new Object[]{"batch", "classes"} : new Object[]{"batch", "classes", "height", "width"})));
        }
    }

    private static IllegalArgumentException unsupported(String vertex, String type) {
        return new IllegalArgumentException("ONNX export does not support vertex \"" + vertex + "\" (" + type
                + "); it knows convolution, Deconvolution2D, subsampling, global pooling, dense, dropout, activation,"
                + " merge and the distillation output layer");
    }

    private void addInput(String name) {
        // the channels: the nIn of a convolution reading the input (the configuration keeps no input types)
        long channels = conf.getVertexInputs().entrySet().stream()
                .filter(e -> e.getValue().contains(name) && conf.getVertices().get(e.getKey()) instanceof LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof ConvolutionLayer)
                .mapToLong(e -> ((ConvolutionLayer) ((LayerVertex) conf.getVertices().get(e.getKey())).getLayerConf()
                        .getLayer()).getNIn())
                .findFirst().orElseThrow(() -> unsupported(name, "input not read by a convolution (images [N, C, H, W]"
                        + " are expected)"));
        onnx.addInput(Onnx.ValueInfoProto.newBuilder().setName(name).setType(floatType(
                new Object[]{"batch", channels, "height", "width"})));
        String tensor = name;
        if (int8 != null && !int8.dynamic()) {
            tensor = quantize(name, name, QParams.of(int8.input()[0], int8.input()[1]));
        }
        tensorOf.put(name, tensor);
    }

    /** Emits one layer; returns the tensor holding its output. */
    private String layer(String name, Layer layer, String x) {
        if (layer instanceof DropoutLayer) {
            return x;
        }
        if (layer instanceof ActivationLayer a) {
            return activation(name, a.getActivationFn(), x, false);
        }
        if (layer instanceof DistillationOutputLayer) {
            return softmaxOverClasses(name, x);
        }
        if (CONVOLUTIONS.contains(layer.getClass())) {
            ConvolutionLayer c = (ConvolutionLayer) layer;
            if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                throw unsupported(name, layer.getClass().getSimpleName() + " in " + c.getCnn2dDataFormat() + " format");
            }
            boolean transposed = layer instanceof Deconvolution2D;
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("kernel_shape", longs(c.getKernelSize()));
            attributes.put("strides", longs(c.getStride()));
            attributes.put("dilations", longs(c.getDilation()));
            padding(attributes, c.getConvolutionMode(), c.getPadding());
            String y = node(transposed ? "ConvTranspose" : "Conv", weightedInputs(name, layer, x), name + "/linear",
                    attributes);
            return activation(name, ((BaseLayer) layer).getActivationFn(), y, true);
        }
        if (layer.getClass() == DenseLayer.class) {
            String y = node("Gemm", weightedInputs(name, layer, x), name + "/linear", Map.of());
            return activation(name, ((BaseLayer) layer).getActivationFn(), y, true);
        }
        if (POOLINGS.contains(layer.getClass())) {
            SubsamplingLayer s = (SubsamplingLayer) layer;
            if (s.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                throw unsupported(name, "subsampling in " + s.getCnn2dDataFormat() + " format");
            }
            String op = switch (s.getPoolingType()) {
                case MAX -> "MaxPool";
                case AVG -> "AveragePool";
                default -> throw unsupported(name, s.getPoolingType() + " subsampling");
            };
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("kernel_shape", longs(s.getKernelSize()));
            attributes.put("strides", longs(s.getStride()));
            if (s.getDilation()[0] != 1 || s.getDilation()[1] != 1) {
                throw unsupported(name, "dilated subsampling");
            }
            padding(attributes, s.getConvolutionMode(), s.getPadding());
            if (op.equals("AveragePool")) {
                // DL4J averages over the window's cells inside the image (avgPoolIncludePadInDivisor false)
                attributes.put("count_include_pad", s.isAvgPoolIncludePadInDivisor() ? 1L : 0L);
            }
            return requantize(name, x, node(op, List.of(x), name, attributes));
        }
        if (layer instanceof GlobalPoolingLayer g) {
            String op = switch (g.getPoolingType()) {
                case MAX -> "GlobalMaxPool";
                case AVG -> "GlobalAveragePool";
                default -> throw unsupported(name, g.getPoolingType() + " global pooling");
            };
            String pooled = node(op, List.of(x), name + "/pool", Map.of());
            String y = g.isCollapseDimensions() ? node("Flatten", List.of(pooled), name, Map.of("axis", 1L)) : pooled;
            return requantize(name, x, y);
        }
        throw unsupported(name, layer.getClass().getSimpleName());
    }

    /** ONNX pads for DL4J's convolution modes: Same pads the end more (SAME_UPPER), Truncate pads explicitly. */
    private static void padding(Map<String, Object> attributes, ConvolutionMode mode, int[] padding) {
        if (mode == ConvolutionMode.Same) {
            attributes.put("auto_pad", "SAME_UPPER");
        } else if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
            attributes.put("pads", new long[]{padding[0], padding[1], padding[0], padding[1]});
        } else {
            throw new IllegalArgumentException("ONNX export does not support convolution mode " + mode);
        }
    }

    /** The input, weight and bias tensors of a weighted layer, with int8 weights and int32 biases for int8 export. */
    private List<String> weightedInputs(String name, Layer layer, String x) {
        INDArray w = Layers.weights(graph, name).castTo(DataType.FLOAT);
        INDArray b = graph.getLayer(name).getParam(Layers.BIAS);
        List<String> inputs = new ArrayList<>(List.of(x));
        QParams input = quantized.get(x);
        if (int8 == null) {
            inputs.add(floatInitializer(name + "/W", w));
        } else {
            int axis = Layers.outputAxis(layer);
            Int8Tensor q = Int8Tensor.quantize(w, axis);
            String values = initializer(name + "/W_int8", Onnx.TensorProto.DataType.INT8, q.shape(), ByteString.copyFrom(q.values()));
            String scales = floatInitializer(name + "/W_scale", org.nd4j.linalg.factory.Nd4j.createFromArray(q.scales()));
            String zeros = initializer(name + "/W_zero", Onnx.TensorProto.DataType.INT8, new long[]{q.scales().length},
                    ByteString.copyFrom(new byte[q.scales().length]));
            inputs.add(node("DequantizeLinear", List.of(values, scales, zeros), name + "/W", Map.of("axis", (long) axis)));
            if (b != null && input != null) {
                float[] bias = b.castTo(DataType.FLOAT).dup().data().asFloat();
                float[] biasScale = new float[bias.length];
                ByteBuffer int32 = ByteBuffer.allocate(4 * bias.length).order(ByteOrder.LITTLE_ENDIAN);
                for (int c = 0; c < bias.length; c++) {
                    biasScale[c] = input.scale() * q.scales()[c];
                    int32.putInt((int) Math.round(bias[c] / (double) biasScale[c]));
                }
                String bValues = initializer(name + "/b_int32", Onnx.TensorProto.DataType.INT32, new long[]{bias.length},
                        ByteString.copyFrom(int32.array()));
                String bScale = floatInitializer(name + "/b_scale", org.nd4j.linalg.factory.Nd4j.createFromArray(biasScale));
                String bZero = initializer(name + "/b_zero", Onnx.TensorProto.DataType.INT32, new long[]{bias.length},
                        ByteString.copyFrom(new byte[4 * bias.length]));
                inputs.add(node("DequantizeLinear", List.of(bValues, bScale, bZero), name + "/b", Map.of("axis", 0L)));
                return inputs;
            }
        }
        if (b != null) {
            inputs.add(floatInitializer(name + "/b", b.castTo(DataType.FLOAT).reshape(b.length())));
        }
        return inputs;
    }

    /**
     * Emits {@code a(x)}; returns its tensor, named after the vertex. For int8 export, a weighted layer's output (but
     * the logits') is quantized with its calibrated range; a fake-quantized activation (a model {@code quantize}
     * wrote) becomes the Q/DQ pair it simulates.
     */
    private String activation(String name, IActivation a, String x, boolean weighted) {
        if (a instanceof FakeQuantActivation f) {
            String y = activation(name + "/base", f.getBase(), x, false);
            if (f.isDynamic()) {
                return dynamicQuantize(name, y);
            }
            if (!Double.isNaN(f.getLo()) && !Double.isNaN(f.getHi())) {
                return quantize(name, y, QParams.of(f.getLo(), f.getHi()));
            }
            return node("Identity", List.of(y), name, Map.of());
        }
        String y;
        if (a instanceof ActivationIdentity) {
            y = node("Identity", List.of(x), name, Map.of());
        } else if (a instanceof ActivationReLU) {
            y = node("Relu", List.of(x), name, Map.of());
        } else if (a instanceof ActivationSigmoid) {
            y = node("Sigmoid", List.of(x), name, Map.of());
        } else if (a instanceof ActivationTanH) {
            y = node("Tanh", List.of(x), name, Map.of());
        } else if (a instanceof ActivationSoftmax) {
            y = softmaxOverClasses(name, x);
        } else {
            throw unsupported(name, "activation " + a);
        }
        if (int8 != null && weighted && !Layers.isLogits(name)) {
            if (int8.dynamic()) {
                return dynamicQuantize(name, y);
            }
            double[] range = int8.layers().get(name);
            if (range == null) {
                throw new IllegalArgumentException("int8 export: no calibrated activation range for layer " + name);
            }
            // renames: the vertex's tensor is the dequantized one
            return quantize(name, y, QParams.of(range[0], range[1]));
        }
        return y;
    }

    /** DynamicQuantizeLinear → DequantizeLinear: {@link FakeQuantActivation}'s dynamic grid, per batch. */
    private String dynamicQuantize(String name, String y) {
        onnx.addNode(Onnx.NodeProto.newBuilder().setOpType("DynamicQuantizeLinear").setName("DynamicQuantizeLinear_" + (nodes++))
                .addInput(y).addOutput(name + "/q").addOutput(name + "/q_scale").addOutput(name + "/q_zero"));
        return node("DequantizeLinear", List.of(name + "/q", name + "/q_scale", name + "/q_zero"), name + "/dequantized",
                Map.of());
    }

    /** QuantizeLinear → DequantizeLinear of {@code x}; returns the dequantized tensor. */
    private String quantize(String name, String x, QParams q) {
        String scale = floatInitializer(name + "/act_scale", org.nd4j.linalg.factory.Nd4j.scalar(q.scale()));
        String zero = initializer(name + "/act_zero", Onnx.TensorProto.DataType.UINT8, new long[0],
                ByteString.copyFrom(new byte[]{(byte) q.zeroPoint()}));
        String quant = node("QuantizeLinear", List.of(x, scale, zero), name + "/quantized", Map.of());
        String dequant = node("DequantizeLinear", List.of(quant, scale, zero), name + "/dequantized", Map.of());
        quantized.put(dequant, q);
        return dequant;
    }

    /** After a pooling of a quantized tensor: the same grid again, so the next weighted layer reads int8. */
    private String requantize(String name, String x, String y) {
        QParams q = quantized.get(x);
        return q == null ? y : quantize(name, y, q);
    }

    private String concat(String name, List<String> inputs) {
        String y = node("Concat", inputs, name, Map.of("axis", 1L));
        if (inputs.stream().allMatch(quantized::containsKey)) {
            double lo = inputs.stream().mapToDouble(i -> quantized.get(i).lo()).min().orElseThrow();
            double hi = inputs.stream().mapToDouble(i -> quantized.get(i).hi()).max().orElseThrow();
            return quantize(name, y, QParams.of(lo, hi));
        }
        return y;
    }

    /**
     * Softmax over axis 1 as exp(x - max) / sum, with reductions over that axis. ONNX Runtime's own {@code Softmax}
     * over an axis that is not the last one transposes internally and was 9x slower than this on a [8, 6, 256, 256]
     * tensor (38 vs 4.3 ms, one core), over a third of the 4-64 student's inference time at 256x256 (README,
     * "Deployment"); the two agree within 2e-7.
     */
    private String softmaxOverClasses(String name, String x) {
        String max = node("ReduceMax", List.of(x), name + "/max", Map.of("axes", new long[]{1}, "keepdims", 1L));
        String exp = node("Exp", List.of(node("Sub", List.of(x, max), name + "/shifted", Map.of())), name + "/exp",
                Map.of());
        String axes = onnx.getInitializerList().stream().anyMatch(t -> t.getName().equals("class_axis")) ? "class_axis"
                : initializer("class_axis", Onnx.TensorProto.DataType.INT64, new long[]{1},
                ByteString.copyFrom(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array()));
        String sum = node("ReduceSum", List.of(exp, axes), name + "/sum", Map.of("keepdims", 1L));
        return node("Div", List.of(exp, sum), name, Map.of());
    }

    private String node(String op, List<String> inputs, String output, Map<String, Object> attributes) {
        Onnx.NodeProto.Builder node = Onnx.NodeProto.newBuilder().setOpType(op).setName(op + "_" + (nodes++))
                .addAllInput(inputs).addOutput(output);
        attributes.forEach((k, v) -> {
            Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(k);
            if (v instanceof Long l) {
                a.setType(Onnx.AttributeProto.AttributeType.INT).setI(l);
            } else if (v instanceof long[] ls) {
                a.setType(Onnx.AttributeProto.AttributeType.INTS);
                for (long l : ls) {
                    a.addInts(l);
                }
            } else if (v instanceof String s) {
                a.setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
            } else {
                throw new IllegalStateException("attribute type " + v.getClass());
            }
            node.addAttribute(a);
        });
        onnx.addNode(node);
        return output;
    }

    private String floatInitializer(String name, INDArray values) {
        float[] data = values.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer bytes = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            bytes.putFloat(f);
        }
        return initializer(name, Onnx.TensorProto.DataType.FLOAT, values.shape(), ByteString.copyFrom(bytes.array()));
    }

    private String initializer(String name, Onnx.TensorProto.DataType type, long[] shape, ByteString raw) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(raw);
        for (long d : shape) {
            t.addDims(d);
        }
        onnx.addInitializer(t);
        return name;
    }

    /** A float tensor type; dims are numbers or symbolic names. */
    private static Onnx.TypeProto floatType(Object[] dims) {
        Onnx.TypeProto.Tensor.Builder tensor = Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT.getNumber());
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof String s ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(s)
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        tensor.setShape(shape);
        return Onnx.TypeProto.newBuilder().setTensorType(tensor).build();
    }

    private static long[] longs(int[] values) {
        return java.util.Arrays.stream(values).asLongStream().toArray();
    }
}
