package io.distill4j.compress;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Quantization-aware training: the network trains while seeing int8-rounded weights and activations, so that its
 * int8 version loses little accuracy.
 * <ul>
 *   <li>Activations: {@link #prepare} wraps every weighted layer's activation (except the logits) in a tracking
 *       {@link FakeQuantActivation}; its straight-through backprop is part of the layer.</li>
 *   <li>Weights: {@link WeightListener} keeps float32 "shadow" weights. After each update it stores the updated
 *       float weights and puts their int8 round trip ({@link Int8Tensor#fakeQuantize}) in the network, so the next
 *       forward and backward pass use quantized weights; when the gradient has been computed it puts the float
 *       weights back, so the optimizer applies that gradient to the float weights (straight-through estimator).</li>
 * </ul>
 * After training the network holds the quantized weights, so post-training quantization of it is exact.
 */
public final class QuantizationAwareTraining {

    private QuantizationAwareTraining() {
    }

    /** A copy of {@code source} whose weighted layers' activations are fake-quantized (ranges learned in training). */
    public static ComputationGraph prepare(ComputationGraph source) {
        ComputationGraphConfiguration conf = source.getConfiguration().clone();
        for (String name : Layers.weighted(source)) {
            if (!Layers.isLogits(name)) {
                BaseLayer layer = Layers.baseLayer(conf, name);
                layer.setActivationFn(FakeQuantActivation.tracking(Quantizer.unwrap(layer.getActivationFn())));
            }
        }
        return Layers.withConfiguration(source, conf);
    }

    /**
     * Trains (or resumes) a network of the run with quantization-aware training: a new network for {@code network}'s
     * section, prepared by {@link #prepare}, with a {@link WeightListener}; distilled when {@code teacher} is given.
     */
    public static io.distill4j.train.TrainedModel train(io.distill4j.train.Run run, String name,
                                                        io.distill4j.config.RunConfig.NetworkConfig network,
                                                        ComputationGraph teacher, boolean resume) {
        var spec = io.distill4j.train.Trainer.spec(run.config(), network, run.data(), teacher != null);
        WeightListener weights = new WeightListener();
        return run.trainer().train(name, () -> weights.attach(prepare(io.distill4j.train.Trainer.build(spec, network))),
                teacher, run.epochs(network), resume, List.of(weights));
    }

    /** The straight-through weight quantizer; add it to the training listeners of the graph it was made for. */
    public static final class WeightListener extends BaseTrainingListener {
        private final List<INDArray> weights = new ArrayList<>();
        private final List<Integer> axes = new ArrayList<>();
        private final List<INDArray> shadows = new ArrayList<>();

        private ComputationGraph bound;

        /** Quantizes the graph's weights now (for the first forward pass) and remembers their float values. */
        public WeightListener(ComputationGraph graph) {
            attach(graph);
        }

        /** A listener that binds to the graph it is first called for (or {@link #attach}ed to). */
        public WeightListener() {
        }

        /** Binds to {@code graph} and quantizes its weights now, for its first forward pass. */
        public ComputationGraph attach(ComputationGraph graph) {
            bind(graph);
            quantize();
            return graph;
        }

        /** The float32 weights behind the quantized ones the network holds (for tests). */
        List<INDArray> shadows() {
            return shadows;
        }

        /** Follows the graph actually being trained (a resumed run trains a graph loaded from its checkpoint). */
        private void bind(ComputationGraph graph) {
            bound = graph;
            weights.clear();
            axes.clear();
            shadows.clear();
            for (String name : Layers.weighted(graph)) {
                INDArray w = Layers.weights(graph, name);
                weights.add(w);
                axes.add(Layers.outputAxis(Layers.layerConf(graph.getConfiguration(), name)));
            }
        }

        private void quantize() {
            shadows.clear();
            for (int i = 0; i < weights.size(); i++) {
                INDArray w = weights.get(i);
                shadows.add(w.dup());
                w.assign(Int8Tensor.fakeQuantize(w, axes.get(i)));
            }
        }

        @Override
        public void onGradientCalculation(Model model) {
            if (model != bound) {
                bind((ComputationGraph) model);
            }
            for (int i = 0; i < shadows.size(); i++) {
                weights.get(i).assign(shadows.get(i));
            }
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            if (model != bound) {
                bind((ComputationGraph) model);
            }
            quantize();
        }
    }
}
