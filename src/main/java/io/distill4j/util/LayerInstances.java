package io.distill4j.util;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** What every DL4J layer configuration's {@code instantiate} does with the running layer it creates. */
public final class LayerInstances {

    private LayerInstances() {
    }

    /**
     * Gives {@code layer} its listeners, index, parameter view and table (initialised from {@code conf}'s layer when
     * {@code initializeParams}) and configuration, as DL4J's own layers do; returns it.
     */
    public static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf,
                                           Collection<TrainingListener> trainingListeners, int layerIndex,
                                           INDArray layerParamsView, boolean initializeParams) {
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(conf.getLayer().initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
