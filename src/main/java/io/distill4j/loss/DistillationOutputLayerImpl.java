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
 * The running layer of {@link DistillationOutputLayer}: reshapes {@code [N, C, H, W]} logits to pixel rows, applies
 * {@link DistillationLoss} and reshapes the gradient back.
 *
 * <p>DL4J's convention, which this follows: {@link #computeScore} returns the mean loss, and
 * {@link #backpropGradient} returns the gradient of N times it (the updater divides by the minibatch size N).
 */
public class DistillationOutputLayerImpl extends AbstractLayer<DistillationOutputLayer> implements IOutputLayer {

    private INDArray labels;
    private double score;
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
        DistillationLoss.Result result = computeLoss(workspaceMgr);
        // Gradient of N * mean: each counted row weighs N / (rows counted).
        double scale = result.validCount() == 0 ? 0.0 : (double) input.size(0) / result.validCount();
        INDArray gradient = result.gradient().muli(scale);
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
        DistillationLoss.Result result = computeLoss(workspaceMgr);
        long n = input.size(0);
        INDArray perExampleSum = result.rowLoss().reshape(n, result.rowLoss().length() / n).sum(1);
        INDArray perExampleCount = result.validRows().reshape(n, result.validRows().length() / n).sum(1);
        INDArray scores = perExampleSum.divi(perExampleCount.addi(perExampleCount.eq(0).castTo(perExampleCount.dataType())))
                .reshape(n, 1).addi(fullNetRegTerm);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, scores);
    }

    private DistillationLoss.Result computeLoss(LayerWorkspaceMgr workspaceMgr) {
        if (labels == null) {
            throw new IllegalStateException("Labels are not set on " + layerId());
        }
        checkLabelShape();
        DistillationLoss.Result result = layerConf().loss().compute(input, labels);
        lastStats = result.stats();
        statsCurrent = true;
        return result;
    }

    /** Statistics of the last batch whose loss this layer computed (null before the first). */
    public DistillationLoss.BatchStats lastStats() {
        return lastStats;
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        statsCurrent = false;
        super.setInput(input, workspaceMgr);
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

    @Override
    public boolean needsLabels() {
        return true;
    }

    @Override
    public void setLabels(INDArray labels) {
        statsCurrent = false;
        this.labels = labels;
    }

    @Override
    public INDArray getLabels() {
        return labels;
    }

    @Override
    public double score() {
        return score;
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return 0;
    }

    @Override
    public Type type() {
        return input != null && input.rank() == 4 ? Type.CONVOLUTIONAL : Type.FEED_FORWARD;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no parameters
    }

    @Override
    public INDArray params() {
        return null;
    }

    @Override
    public void clear() {
        super.clear();
        labels = null;
        statsCurrent = false;
    }

    // Classifier methods: this layer is used inside a ComputationGraph, which fits and evaluates it.

    @Override
    public double f1Score(DataSet data) {
        throw new UnsupportedOperationException("evaluate the ComputationGraph instead");
    }

    @Override
    public double f1Score(INDArray examples, INDArray labels) {
        throw new UnsupportedOperationException("evaluate the ComputationGraph instead");
    }

    @Override
    public int numLabels() {
        return (int) input.size(1);
    }

    @Override
    public void fit(DataSetIterator iter) {
        throw new UnsupportedOperationException("fit the ComputationGraph instead");
    }

    @Override
    public int[] predict(INDArray examples) {
        throw new UnsupportedOperationException("use ComputationGraph.output instead");
    }

    @Override
    public List<String> predict(DataSet dataSet) {
        throw new UnsupportedOperationException("use ComputationGraph.output instead");
    }

    @Override
    public void fit(INDArray examples, INDArray labels) {
        throw new UnsupportedOperationException("fit the ComputationGraph instead");
    }

    @Override
    public void fit(DataSet data) {
        throw new UnsupportedOperationException("fit the ComputationGraph instead");
    }

    @Override
    public void fit(INDArray examples, int[] labels) {
        throw new UnsupportedOperationException("fit the ComputationGraph instead");
    }
}
