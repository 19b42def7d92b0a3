package io.distill4j.loss;

import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.Arrays;
import java.util.List;

/**
 * The running layer of {@link DistillationOutputLayer}: applies its {@link LogitObjective} to the logits in their own
 * NCHW (or {@code [N, C]}) layout, without reshaping.
 *
 * <p>DL4J's convention, which this follows: {@link #computeScore} returns the mean loss, and
 * {@link #backpropGradient} returns the gradient of N times it (the updater divides by the minibatch size N).
 */
public class DistillationOutputLayerImpl extends LossLayerImpl<DistillationOutputLayer> {
    private DistillationLoss.BatchStats lastStats;
    /**
     * Whether lastStats belongs to the current input and labels: a training iteration needs the loss for backprop
     * and then its score, and this saves computing it twice. Only scalars are kept; the arrays live in workspaces
     * that are recycled between the two calls.
     */
    private boolean statsCurrent;

    public DistillationOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, DistillationLoss.softmaxOverClasses(input));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        LogitObjective.Result result = computeLoss(workspaceMgr);
        // DL4J's convention: the gradient of N times the mean
        INDArray gradient = result.gradient().muli(input.size(0));
        return new Pair<>(new DefaultGradient(), workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, gradient));
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        DistillationLoss.BatchStats stats = statsCurrent ? lastStats : computeLoss(workspaceMgr).stats();
        score = stats.meanLoss() + fullNetRegTerm;
        return score;
    }

    /** Per example: the mean loss over its counted pixels (0 for an example whose pixels are all ignored). */
    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        LogitObjective.Result result = computeLoss(workspaceMgr);
        INDArray scores = org.nd4j.linalg.factory.Nd4j.createFromArray(result.perExample()).castTo(input.dataType())
                .reshape(input.size(0), 1).addi(fullNetRegTerm);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, scores);
    }

    private LogitObjective.Result computeLoss(LayerWorkspaceMgr workspaceMgr) {
        if (labels == null) {
            throw new IllegalStateException("Labels are not set on " + layerId());
        }
        checkLabelShape();
        LogitObjective.Result result = layerConf().objective().compute(input, labels);
        lastStats = result.stats();
        statsCurrent = true;
        return result;
    }

    /** Statistics of the last batch whose loss this layer computed (null before the first). */
    public DistillationLoss.BatchStats lastStats() {
        return lastStats;
    }

    @Override
    protected void labelsChanged() {
        statsCurrent = false;
    }

    private void checkLabelShape() {
        long[] in = input.shape();
        long[] lab = labels.shape();
        boolean sameLayout = lab.length == in.length && lab[0] == in[0]
                && (in.length == 2 || (lab[2] == in[2] && lab[3] == in[3]));
        if (!sameLayout) {
            throw new IllegalArgumentException("labels of shape " + Arrays.toString(lab) + " do not fit logits of shape "
                    + Arrays.toString(in) + " in " + layerId() + ": expected [N, 1 (+ C)" + (in.length == 4 ? ", H, W]" : "]"));
        }
    }
}
