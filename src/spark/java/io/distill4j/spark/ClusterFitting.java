package io.distill4j.spark;

import io.distill4j.train.EpochFitter;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Data-parallel training of one model on a Spark cluster with DL4J's own Spark training (the {@code spark} Maven
 * profile): each epoch's batches (with the teacher's tensors as labels when distilling) become an RDD, and
 * {@link SparkComputationGraph} fits it with {@link ParameterAveragingTrainingMaster} (each executor trains a copy on
 * its partition; parameters and updater state are averaged every {@value #AVERAGING_FREQUENCY} batches per worker),
 * or, experimentally, {@link SharedTrainingMaster} (gradient sharing over Aeron). The networks, with distill4j's own
 * output layer, travel to the executors as DL4J's JSON configuration and parameters.
 */
public final class ClusterFitting implements EpochFitter {

    static final int AVERAGING_FREQUENCY = 5;
    /** Aeron's wait for a blocked publication, nanoseconds: gradient sharing hangs without a long one. */
    static final String AERON_TIMEOUT = "60000000000";

    private final SparkTraining spark;
    private final boolean gradientSharing;
    private SparkComputationGraph network;
    private ComputationGraph fitted;

    ClusterFitting(SparkTraining spark, boolean gradientSharing) {
        this.spark = spark;
        this.gradientSharing = gradientSharing;
    }

    /** Registered for {@link EpochFitter#spark} through {@code META-INF/services}. */
    public static final class Provider implements EpochFitter.Provider {
        @Override
        public EpochFitter connect(String master, boolean gradientSharing) {
            if (gradientSharing) {
                System.setProperty("aeron.publication.unblock.timeout", AERON_TIMEOUT);
            }
            Map<String, String> settings = gradientSharing
                    ? Map.of("spark.executor.extraJavaOptions", "-Daeron.publication.unblock.timeout=" + AERON_TIMEOUT)
                    : Map.of();
            return new ClusterFitting(SparkTraining.connect(master, settings, SparkTraining.EXECUTOR_WAIT),
                    gradientSharing);
        }
    }

    /** Fits on an existing connection (its context stays open when this closes). */
    public static ClusterFitting on(JavaSparkContext context, boolean gradientSharing) {
        return new ClusterFitting(SparkTraining.on(context), gradientSharing);
    }

    @Override
    public double fit(ComputationGraph graph, DataSetIterator data, MultiDataSetIterator multi) {
        JavaSparkContext context = spark.context();
        if (network == null || fitted != graph) {
            // one SparkComputationGraph per trained model: it carries the updater state from epoch to epoch
            int batch = data != null ? data.batch() : 0;
            network = new SparkComputationGraph(context, graph, master(batch > 0 ? batch : 16));
            fitted = graph;
        }
        ComputationGraph trained;
        if (multi != null) {
            List<MultiDataSet> batches = new ArrayList<>();
            multi.reset();
            multi.forEachRemaining(batches::add);
            trained = network.fitMultiDataSet(context.parallelize(batches, Math.min(batches.size(),
                    spark.parallelism())));
        } else {
            List<DataSet> batches = new ArrayList<>();
            if (data.resetSupported()) {
                data.reset();
            }
            data.forEachRemaining(batches::add);
            trained = network.fit(context.parallelize(batches, Math.min(batches.size(), spark.parallelism())));
        }
        if (trained != graph) {
            graph.setParams(trained.params());
            if (trained.getUpdater().getStateViewArray() != null) {
                graph.getUpdater().getStateViewArray().assign(trained.getUpdater().getStateViewArray());
            }
        }
        return network.getScore();
    }

    private TrainingMaster<?, ?> master(int batchSize) {
        if (gradientSharing) {
            VoidConfiguration voidConfiguration = VoidConfiguration.builder().unicastPort(40123)
                    .controllerAddress(System.getProperty("spark.driver.host", "127.0.0.1")).build();
            return new SharedTrainingMaster.Builder(voidConfiguration, batchSize)
                    .batchSizePerWorker(batchSize).workersPerNode(1)
                    .rddTrainingApproach(RDDTrainingApproach.Direct).build();
        }
        return new ParameterAveragingTrainingMaster.Builder(batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(AVERAGING_FREQUENCY)
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .build();
    }

    @Override
    public String describe() {
        return (gradientSharing ? "DL4J gradient sharing (experimental)" : "DL4J parameter averaging (every "
                + AVERAGING_FREQUENCY + " batches per worker)") + " on Spark " + spark.context().master() + " ("
                + spark.parallelism() + " task slots)";
    }

    /** Waits for {@code count} executors (tests: every worker's, before the first epoch). */
    public void awaitExecutors(int count, Duration wait) {
        spark.awaitExecutors(count, wait);
    }

    @Override
    public void close() {
        spark.close();
    }
}
