package io.distill4j.loss;

/** What a {@link FeatureDistillationLayer} compares between a student feature map and the teacher's. */
public enum FeatureLoss {
    /** Attention transfer: squared L2 distance of the L2-normalised maps {@code Σ_c |A_c|^p} ({@link AttentionMaps}). */
    ATTENTION,
    /** FitNets hint: mean squared error per element against the teacher's activation. */
    MSE,
    /** Channel-wise distillation: spatial softmax per channel at temperature tau ({@link ChannelWise}). */
    CHANNEL_WISE
}
