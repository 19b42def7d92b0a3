package io.distill4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * Fits one epoch of a model somewhere else than this JVM's {@code ComputationGraph.fit}: on a Spark cluster through
 * DL4J's own Spark training (the {@code spark} Maven profile, {@code io.distill4j.spark.ClusterFitting}). Afterwards
 * {@code graph} holds the trained parameters; the trainer validates, checkpoints and reports as for a local epoch.
 */
public interface EpochFitter extends AutoCloseable {

    /**
     * Fits one epoch: exactly one of {@code data} and {@code multi} is given (multi for students with feature taps).
     *
     * @return the epoch's mean training loss as the cluster reports it (NaN when unknown)
     */
    double fit(ComputationGraph graph, DataSetIterator data, MultiDataSetIterator multi);

    /** One line for the run's log: what trains the epochs, where. */
    String describe();

    @Override
    default void close() {
    }

    /**
     * Opens the cluster fitting the {@code spark} profile provides (through {@link java.util.ServiceLoader}); the
     * default build has none.
     */
    interface Provider {
        EpochFitter connect(String master, boolean gradientSharing);
    }

    /** The {@code spark} profile's fitter on {@code master}, or a clear error in a build without it. */
    static EpochFitter spark(String master, boolean gradientSharing) {
        return java.util.ServiceLoader.load(Provider.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("train --spark needs DL4J's Spark training, which this"
                        + " build leaves out: build with `mvn -Pcpu,spark -DskipTests package` and run"
                        + " `java -jar target/distill4j.jar train --spark " + master + " ...`"))
                .connect(master, gradientSharing);
    }
}
