package io.distill4j.loss;

/**
 * Channel-wise distillation (Shu et al., ICCV 2021) on NCHW arrays: for each example and channel, the softmax over
 * the spatial positions (not over channels: that is pixel-wise KD) at temperature tau, and
 * {@code tau² · KL(teacher ‖ student)} summed over the positions; the mean over examples and channels. Shared by the
 * logits ({@link LogitObjective}) and feature levels ({@link FeatureDistillationLayerImpl}).
 */
final class ChannelWise {

    private ChannelWise() {
    }

    /**
     * @param s         student values {@code [N, channels, pixels]}
     * @param t         teacher values, likewise with {@code tOffset, tChannels}
     * @param gradient  in the student's layout: receives {@code weight · ∂mean/∂s}, i.e. {@code weight · tau (p_s − p_t) / (N C)}
     * @param perExample receives each example's weighted mean over its channels
     * @return the unweighted mean over examples and channels
     */
    static double loss(Values s, Values t, int tOffset, int tChannels, int examples,
                       int channels, int pixels, double tau, Values gradient, double weight, double[] perExample) {
        double[] ps = new double[pixels];
        double[] pt = new double[pixels];
        double[] logPs = new double[pixels];
        double[] logPt = new double[pixels];
        double total = 0;
        double scale = weight * tau / ((double) examples * channels);
        for (int n = 0; n < examples; n++) {
            double exampleSum = 0;
            for (int c = 0; c < channels; c++) {
                int sBase = (n * channels + c) * pixels;
                int tBase = (n * tChannels + tOffset + c) * pixels;
                logSoftmax(s, sBase, pixels, tau, logPs, ps);
                logSoftmax(t, tBase, pixels, tau, logPt, pt);
                double kl = 0;
                for (int p = 0; p < pixels; p++) {
                    kl += pt[p] * (logPt[p] - logPs[p]);
                }
                for (int p = 0; p < pixels; p++) {
                    gradient.add(sBase + p, scale * (ps[p] - pt[p]));
                }
                double loss = tau * tau * kl;
                exampleSum += loss;
                total += loss;
            }
            perExample[n] += weight * exampleSum / channels;
        }
        return total / ((double) examples * channels);
    }

    private static void logSoftmax(Values v, int start, int count, double tau, double[] logOut, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, v.get(start + i) / tau);
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            logOut[i] = v.get(start + i) / tau - max;
            out[i] = Math.exp(logOut[i]);
            sum += out[i];
        }
        double logSum = Math.log(sum);
        for (int i = 0; i < count; i++) {
            logOut[i] -= logSum;
            out[i] /= sum;
        }
    }
}
