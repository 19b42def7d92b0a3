package io.distill4j.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Max pooling over 2×2 windows with stride 2, NCHW: DL4J's {@link SubsamplingLayer} (same configuration, same JSON
 * fields, so exporters and tools that know a subsampling layer know this one) with its own running layer,
 * {@link MaxPooling2x2Impl}. DL4J hands oneDNN plain NCHW for pooling, which gets oneDNN's reference
 * {@code simple_nchw} kernel: 20–37 ms for a batch of 8 × 4 × 256 × 256 on one core, a tenth of a student's
 * inference. A direct loop over the window reads each input once (README, "Levers, measured").
 */
public class MaxPooling2x2 extends SubsamplingLayer {

    /**
     * 2×2, stride 2, no padding; the convolution mode comes from the network (the U-Nets' Same). Inputs of odd
     * height or width, which Same pads, take DL4J's own path.
     */
    public MaxPooling2x2() {
        setPoolingType(org.deeplearning4j.nn.conf.layers.PoolingType.MAX);
        setKernelSize(new int[] {2, 2});
        setStride(new int[] {2, 2});
        setPadding(new int[] {0, 0});
        setDilation(new int[] {1, 1});
        setCnn2dDataFormat(org.deeplearning4j.nn.conf.CNN2DFormat.NCHW);
        setConvolutionMode(null); // the network's, as for DL4J's builder-made layers
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        MaxPooling2x2Impl layer = new MaxPooling2x2Impl(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
