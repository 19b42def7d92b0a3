package io.distill4j.loss;

import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;

/**
 * What the parameter-free loss layers of this package share as DL4J output layers: labels, the last score, and the
 * {@code Classifier} methods, which a layer inside a {@code ComputationGraph} never serves. Subclasses compute the
 * loss; {@link #labelsChanged()} tells them a cached result no longer applies.
 */
abstract class LossLayerImpl<L extends org.deeplearning4j.nn.conf.layers.Layer> extends AbstractLayer<L>
        implements IOutputLayer {

    protected INDArray labels;
    protected double score;

    LossLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Called when the input or the labels change. */
    protected abstract void labelsChanged();

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        labelsChanged();
        super.setInput(input, workspaceMgr);
    }

    @Override
    public boolean needsLabels() {
        return true;
    }

    @Override
    public void setLabels(INDArray labels) {
        labelsChanged();
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
        labelsChanged();
    }

    // Classifier methods: these layers are used inside a ComputationGraph, which fits and evaluates it.

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
