package io.distill4j.search;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Random;

/**
 * A stochastic policy over per-layer actions, as a DL4J recurrent network reading one {@link LayerDescriptor} per
 * time step and emitting a softmax over the actions at each step: the removal policy is a
 * {@code Bidirectional(LSTM)} (each decision sees the layers before and after it) with 2 actions, keep and remove;
 * the shrinkage policy an {@code LSTM} with one action per width fraction. Trained by REINFORCE through
 * {@link PolicyGradientLoss}.
 */
public final class Policy {

    private final MultiLayerNetwork network;
    private final int actions;

    public Policy(MultiLayerNetwork network) {
        this.network = network;
        this.actions = (int) network.getLayer(network.getnLayers() - 1).getParam("b").length();
    }

    /** The removal policy: Bidirectional(LSTM) → RnnOutputLayer(softmax over keep / remove). */
    public static Policy removal(long seed, int units, IUpdater updater, DataType dataType) {
        return new Policy(init(new NeuralNetConfiguration.Builder().seed(seed).updater(updater).dataType(dataType)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new Bidirectional(Bidirectional.Mode.CONCAT, new LSTM.Builder()
                        .nIn(LayerDescriptor.FEATURES).nOut(units).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build()))
                .layer(new RnnOutputLayer.Builder(new PolicyGradientLoss()).nIn(2 * units).nOut(2)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build())
                .setInputType(InputType.recurrent(LayerDescriptor.FEATURES, RNNFormat.NCW))
                .build()));
    }

    /** The shrinkage policy: LSTM → RnnOutputLayer(softmax over the width fractions). */
    public static Policy shrinkage(long seed, int units, int choices, IUpdater updater, DataType dataType) {
        if (choices < 1) {
            throw new IllegalArgumentException("the shrinkage policy needs at least one width fraction");
        }
        return new Policy(init(new NeuralNetConfiguration.Builder().seed(seed).updater(updater).dataType(dataType)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().nIn(LayerDescriptor.FEATURES).nOut(units).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder(new PolicyGradientLoss()).nIn(units).nOut(choices)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build())
                .setInputType(InputType.recurrent(LayerDescriptor.FEATURES, RNNFormat.NCW))
                .build()));
    }

    private static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    public MultiLayerNetwork network() {
        return network;
    }

    /** Number of actions per layer. */
    public int actions() {
        return actions;
    }

    /** The policy's input for a layer sequence: [1, features, layers]. */
    public INDArray input(List<LayerDescriptor> layers) {
        double[][] f = new double[LayerDescriptor.FEATURES][layers.size()];
        for (int t = 0; t < layers.size(); t++) {
            double[] v = layers.get(t).features();
            for (int k = 0; k < v.length; k++) {
                f[k][t] = v[k];
            }
        }
        return Nd4j.create(f).reshape(1, LayerDescriptor.FEATURES, layers.size())
                .castTo(network.getLayerWiseConfigurations().getDataType());
    }

    /** Action probabilities per layer: [actions, layers]. */
    public INDArray probabilities(INDArray input) {
        return network.output(input, false).slice(0);
    }

    /**
     * Samples {@code m} rollouts of one action per layer from the policy, or uniformly when {@code uniform} (random
     * search of the same action space).
     */
    public int[][] sample(INDArray input, int m, Random random, boolean uniform) {
        int layers = (int) input.size(2);
        double[][] p = uniform ? null : probabilities(input).castTo(DataType.DOUBLE).toDoubleMatrix();
        int[][] rollouts = new int[m][layers];
        for (int j = 0; j < m; j++) {
            for (int t = 0; t < layers; t++) {
                double u = random.nextDouble();
                int a = 0;
                if (uniform) {
                    a = Math.min(actions - 1, (int) (u * actions));
                } else {
                    double cumulative = p[0][t];
                    while (u >= cumulative && a < actions - 1) {
                        cumulative += p[++a][t];
                    }
                }
                rollouts[j][t] = a;
            }
        }
        return rollouts;
    }

    /**
     * One REINFORCE step: ascends {@code (1/m) Σ_j A_j Σ_t mask_t ∇ log π(a_jt)} with the network's updater.
     *
     * @param input      [1, features, layers], shared by the rollouts
     * @param rollouts   the actions taken, [m][layers]
     * @param advantages {@code R_j - b} per rollout
     * @param mask       1 for the layers whose action counts, 0 for ignored ones (length layers), or null for all
     */
    public void update(INDArray input, int[][] rollouts, double[] advantages, double[] mask) {
        int m = rollouts.length;
        int layers = (int) input.size(2);
        DataType type = network.getLayerWiseConfigurations().getDataType();
        INDArray features = Nd4j.concat(0, java.util.Collections.nCopies(m, input).toArray(new INDArray[0]));
        INDArray labels = Nd4j.zeros(type, m, actions, layers);
        INDArray labelMask = Nd4j.ones(type, m, layers);
        for (int j = 0; j < m; j++) {
            for (int t = 0; t < layers; t++) {
                labels.putScalar(new long[]{j, rollouts[j][t], t}, advantages[j]);
                if (mask != null) {
                    labelMask.putScalar(new long[]{j, t}, mask[t]);
                }
            }
        }
        network.fit(features, labels, null, labelMask);
    }

    /** {@code Σ_t mask_t log π(a_t)} of one rollout (for tests). */
    public double logProbability(INDArray input, int[] rollout, double[] mask) {
        INDArray p = probabilities(input).castTo(DataType.DOUBLE);
        double sum = 0;
        for (int t = 0; t < rollout.length; t++) {
            sum += (mask == null ? 1 : mask[t]) * Math.log(p.getDouble(rollout[t], t));
        }
        return sum;
    }

    /** The network with its updater state, as ModelSerializer writes it. */
    public byte[] toBytes() {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ModelSerializer.writeModel(network, out, true);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Policy fromBytes(byte[] bytes) {
        try {
            return new Policy(ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), true));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a policy network: " + e.getMessage(), e);
        }
    }
}
