package io.distill4j.search;

import io.distill4j.data.Task;
import io.distill4j.model.UNetArchitecture;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {

    private static final double LEARNING_RATE = 0.05;
    private static final int STRIDE = 7;
    private static final List<LayerDescriptor> LAYERS = LayerDescriptor.of(
            UNetArchitecture.of(UNetSpec.of(List.of(4, 8), Task.SEGMENTATION, 3, 6, 16, 16)), 3);

    /** J(θ) = (1/m) Σ_j A_j Σ_t mask_t log π(a_jt): what one REINFORCE step ascends. */
    private static double objective(Policy policy, INDArray input, int[][] rollouts, double[] advantages, double[] mask) {
        INDArray p = policy.probabilities(input);
        double sum = 0;
        for (int j = 0; j < rollouts.length; j++) {
            for (int t = 0; t < rollouts[j].length; t++) {
                sum += advantages[j] * (mask == null ? 1 : mask[t]) * Math.log(p.getDouble(rollouts[j][t], t));
            }
        }
        return sum / rollouts.length;
    }

    /**
     * ∇J by central differences, in double precision, for every {@value #STRIDE}th parameter (all layers and
     * gates are visited; the machine is shared, so not all of them).
     */
    private static double[] numericGradient(Policy policy, INDArray input, int[][] rollouts, double[] advantages,
                                            double[] mask) {
        MultiLayerNetwork net = policy.network();
        INDArray params = net.params().dup();
        double[] gradient = new double[(int) params.length()];
        double h = 1e-6;
        java.util.Arrays.fill(gradient, Double.NaN);
        for (int i = 0; i < gradient.length; i += STRIDE) {
            INDArray plus = params.dup();
            plus.putScalar(i, params.getDouble(i) + h);
            net.setParams(plus);
            double up = objective(policy, input, rollouts, advantages, mask);
            INDArray minus = params.dup();
            minus.putScalar(i, params.getDouble(i) - h);
            net.setParams(minus);
            double down = objective(policy, input, rollouts, advantages, mask);
            gradient[i] = (up - down) / (2 * h);
        }
        net.setParams(params);
        return gradient;
    }

    private static double[] update(Policy policy, INDArray input, int[][] rollouts, double[] advantages, double[] mask) {
        INDArray before = policy.network().params().dup();
        policy.update(input, rollouts, advantages, mask);
        return policy.network().params().sub(before).div(LEARNING_RATE).toDoubleVector();
    }

    @Test
    void oneUpdateIsTheAnalyticalReinforceGradientForAdvantagesOfEitherSign() {
        for (boolean bidirectional : new boolean[]{true, false}) {
            Policy policy = bidirectional ? Policy.removal(7, 3, new Sgd(LEARNING_RATE), DataType.DOUBLE)
                    : Policy.shrinkage(7, 3, 4, new Sgd(LEARNING_RATE), DataType.DOUBLE);
            INDArray input = policy.input(LAYERS);
            int[][] rollouts = policy.sample(input, 3, new Random(1), false);
            double[] advantages = {0.7, -1.3, 0.25};
            double[] mask = new double[LAYERS.size()];
            for (int t = 0; t < mask.length; t++) {
                mask[t] = bidirectional && !LAYERS.get(t).role().removable() ? 0 : 1;
            }
            double[] expected = numericGradient(policy, input, rollouts, advantages, mask);
            double[] actual = update(policy, input, rollouts, advantages, mask);
            double norm = 0;
            for (double v : expected) {
                norm = Double.isNaN(v) ? norm : Math.max(norm, Math.abs(v));
            }
            assertTrue(norm > 1e-3, "a non-trivial gradient");
            for (int i = 0; i < expected.length; i += STRIDE) {
                assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, norm),
                        (bidirectional ? "removal" : "shrinkage") + " parameter " + i);
            }
        }
    }

    @Test
    void mcxentWithAdvantageScaledLabelsIsNotTheReinforceGradient() {
        // the same network with DL4J's MCXENT: its softmax gradient π - y assumes labels summing to 1
        Policy reinforce = Policy.shrinkage(3, 3, 4, new Sgd(LEARNING_RATE), DataType.DOUBLE);
        MultiLayerNetwork copy = reinforce.network().clone();
        ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer) copy.getLayerWiseConfigurations().getConf(1).getLayer())
                .setLossFn(new LossMCXENT());
        Policy mcxent = new Policy(copy);
        INDArray input = reinforce.input(LAYERS);
        int[][] rollouts = {reinforce.sample(input, 1, new Random(2), false)[0]};
        double[] negative = {-1.0};
        double[] expected = numericGradient(reinforce, input, rollouts, negative, null);
        double[] right = update(reinforce, input, rollouts, negative, null);
        double[] wrong = update(mcxent, input, rollouts, negative, null);
        double rightError = 0;
        double wrongError = 0;
        for (int i = 0; i < expected.length; i += STRIDE) {
            rightError = Math.max(rightError, Math.abs(right[i] - expected[i]));
            wrongError = Math.max(wrongError, Math.abs(wrong[i] - expected[i]));
        }
        assertTrue(rightError < 1e-6, "PolicyGradientLoss error " + rightError);
        assertTrue(wrongError > 1e-2, "MCXENT error " + wrongError);
    }

    @Test
    void positiveAdvantagesMakeTheTakenActionsLikelier() {
        Policy policy = Policy.removal(11, 8, new Adam(0.1), DataType.FLOAT);
        INDArray input = policy.input(LAYERS);
        int[] removeAll = new int[LAYERS.size()];
        java.util.Arrays.fill(removeAll, Actions.REMOVE);
        double before = policy.logProbability(input, removeAll, null);
        for (int i = 0; i < 5; i++) {
            policy.update(input, new int[][]{removeAll}, new double[]{1.0}, null);
        }
        assertTrue(policy.logProbability(input, removeAll, null) > before + 1.0);
    }

    @Test
    void samplingFollowsTheProbabilitiesAndRandomSearchIsUniform() {
        Policy policy = Policy.shrinkage(5, 4, 3, new Adam(0.01), DataType.FLOAT);
        INDArray input = policy.input(LAYERS);
        INDArray p = policy.probabilities(input);
        assertArrayEquals(new long[]{3, LAYERS.size()}, p.shape());
        int n = 4000;
        int[][] rollouts = policy.sample(input, n, new Random(9), false);
        int[][] uniform = policy.sample(input, n, new Random(9), true);
        for (int a = 0; a < 3; a++) {
            int count = 0;
            int uniformCount = 0;
            for (int[] r : rollouts) {
                count += r[0] == a ? 1 : 0;
            }
            for (int[] r : uniform) {
                uniformCount += r[0] == a ? 1 : 0;
            }
            assertEquals(p.getDouble(a, 0), count / (double) n, 0.03);
            assertEquals(1.0 / 3, uniformCount / (double) n, 0.03);
        }
    }

    @Test
    void policiesRoundTripThroughModelSerializerWithTheirLoss() {
        Policy policy = Policy.removal(5, 4, new Adam(0.01), DataType.FLOAT);
        policy.update(policy.input(LAYERS), new int[][]{new int[LAYERS.size()]}, new double[]{0.5}, null);
        Policy back = Policy.fromBytes(policy.toBytes());
        assertEquals(policy.network().params(), back.network().params());
        assertEquals(policy.network().getUpdater().getStateViewArray(), back.network().getUpdater().getStateViewArray());
        assertInstanceOf(Bidirectional.class, back.network().getLayerWiseConfigurations().getConf(0).getLayer());
        assertInstanceOf(PolicyGradientLoss.class,
                ((RnnOutputLayer) back.network().getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn());
        assertEquals(2, back.actions());
    }
}
