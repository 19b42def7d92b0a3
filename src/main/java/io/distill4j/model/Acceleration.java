package io.distill4j.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Properties;

/**
 * Switches on DL4J's oneDNN layer helpers, which M2.1 leaves off unless a system property says otherwise (the
 * other half of the fix is {@link org.nd4j.nativeblas.Nd4jCpu}). Must run before the first layer is built, because
 * layers decide on their helper when they are created; {@link UNetFactory} and {@link ModelFiles} call it, so
 * the CLI, the IDE, notebooks and tests all get it.
 *
 * <p>Set {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true} to run DL4J's built-in implementations instead.
 */
public final class Acceleration {

    /** DL4J's switch (see {@code DL4JSystemProperties.DISABLE_HELPER_PROPERTY}); "true" disables helpers. */
    public static final String HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private Acceleration() {
    }

    /** Enables the helpers unless the user chose explicitly. Idempotent and cheap. */
    public static void ensureConfigured() {
        if (System.getProperty(HELPERS_DISABLE_PROPERTY) == null) {
            System.setProperty(HELPERS_DISABLE_PROPERTY, "false");
        }
    }

    /** Whether layers created now get DL4J helpers at all. */
    public static boolean helpersEnabled() {
        return !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLE_PROPERTY, "true"));
    }

    /** Whether DL4J's own oneDNN check passes, i.e. the conv and pooling helpers will run rather than drop out. */
    public static boolean oneDnnActive() {
        return helpersEnabled() && BaseMKLDNNHelper.mklDnnEnabled();
    }

    /**
     * Whether a convolution layer built now really gets DL4J's oneDNN helper: builds a one-layer network and looks
     * at the helper it chose, which is the ground truth that the property and the check above only predict.
     */
    public static boolean convolutionHelperInUse() {
        ensureConfigured();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(1).build())
                .layer(new CnnLossLayer.Builder().activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(4, 4, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net.getLayer(0).getHelper() instanceof MKLDNNConvHelper && BaseMKLDNNHelper.mklDnnEnabled();
    }

    /**
     * Which ND4J native build is loaded, e.g. {@code linux-x86_64-onednn}: the folder JavaCPP loaded libnd4jcpu (or
     * libnd4jcuda) from, or "unknown".
     */
    public static String nativeBuild() {
        Nd4j.getBackend(); // loads the natives if nothing has yet
        return org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet().stream()
                .filter(e -> e.getKey().contains("nd4jcpu") || e.getKey().contains("nd4jcuda"))
                .map(e -> java.nio.file.Path.of(e.getValue()).getParent())
                .filter(java.util.Objects::nonNull)
                .map(dir -> dir.getFileName().toString())
                .findFirst().orElse("unknown");
    }

    /**
     * Whether distill4j's convolution layers run float NCHW convolutions as their own oneDNN primitives (JavaCPP's
     * {@code dnnl} preset on ND4J's CPU backend, unless {@code -Ddistill4j.onednn=false}); else DL4J's path.
     */
    public static boolean oneDnnConvolutions() {
        return OneDnn.available();
    }

    /** Backend name as ND4J reports it, e.g. "CPU" or "CUDA". */
    public static String backend() {
        return environment().getProperty("backend", "unknown");
    }

    /** ND4J's description of its environment (backend, BLAS vendor, threads, ...). */
    public static Properties environment() {
        return Nd4j.getExecutioner().getEnvironmentInformation();
    }
}
