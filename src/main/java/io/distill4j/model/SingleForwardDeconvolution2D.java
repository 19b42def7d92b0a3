package io.distill4j.model;

import io.distill4j.util.LayerInstances;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's {@link Deconvolution2D} whose backward pass does not run the transposed convolution again, for the same
 * reason and activations as {@link SingleForwardConvolution2D}; the U-Nets' up-sampling is linear, so DL4J recomputed
 * each one in every training step for a derivative that does not read it.
 */
public class SingleForwardDeconvolution2D extends Deconvolution2D {

    /** For JSON deserialization. */
    public SingleForwardDeconvolution2D() {
    }

    /** The layer {@code builder} describes, with this layer's backward pass. */
    public SingleForwardDeconvolution2D(Deconvolution2D.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNInNOutSet("SingleForwardDeconvolution2D", getLayerName(), layerIndex, getNIn(),
                getNOut());
        return LayerInstances.wire(new Impl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** The running layer: keeps its training output for the backward pass. */
    public static class Impl extends Deconvolution2DLayer {
        private final TrainingOutput trainingOutput = new TrainingOutput();

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            return trainingOutput.keep(super.activate(training, workspaceMgr), training,
                    layerConf().getActivationFn());
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                                                       LayerWorkspaceMgr workspaceMgr) {
            return trainingOutput.forBackprop(forBackprop,
                    () -> super.preOutput4d(training, forBackprop, workspaceMgr));
        }

        @Override
        public void clear() {
            super.clear();
            trainingOutput.clear();
        }
    }
}
