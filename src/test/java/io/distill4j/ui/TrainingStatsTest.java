package io.distill4j.ui;

import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import org.deeplearning4j.ui.model.stats.api.StatsType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingStatsTest {

    /**
     * A report holds every statistic DL4J's UI draws (overview and model pages) for every layer, and none of the
     * ones no page shows, which cost a tenth of a small model's epoch to compute.
     */
    @Test
    void reportsCarryWhatDl4jsUiDrawsAndNothingElse(@TempDir Path dir) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(0.01))
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 6, 4), Nd4j.eye(3).repeat(0, 2).castTo(DataType.FLOAT));
        try (TrainingStats stats = TrainingStats.open(dir, 1)) {
            graph.setListeners(stats.listeners("model", false));
            for (int i = 0; i < 3; i++) {
                graph.fit(batch);
            }
            Persistable latest = stats.storage().getLatestUpdate(stats.sessionId("model"), StatsListener.TYPE_ID,
                    "model");
            StatsReport report = (StatsReport) latest;
            for (StatsType type : new StatsType[]{StatsType.Parameters, StatsType.Updates}) {
                assertHasLayers(report.getHistograms(type), type + " histograms");
                assertHasLayers(report.getMeanMagnitudes(type), type + " mean magnitudes");
            }
            for (StatsType type : new StatsType[]{StatsType.Activations, StatsType.Gradients, StatsType.Updates}) {
                assertHasLayers(report.getStdev(type), type + " standard deviations");
            }
            assertHasLayers(report.getMean(StatsType.Activations), "activation means");
            assertNull(report.getHistograms(StatsType.Gradients));
            assertNull(report.getHistograms(StatsType.Activations));
            assertNull(report.getMean(StatsType.Parameters));
            assertNull(report.getStdev(StatsType.Parameters));
            assertNull(report.getMeanMagnitudes(StatsType.Gradients));
        }
    }

    private static void assertHasLayers(Map<String, ?> values, String what) {
        assertTrue(values != null && !values.isEmpty(), what + " missing: " + values);
        assertTrue(values.keySet().stream().anyMatch(k -> k.startsWith("hidden")), what + ": " + values.keySet());
        assertFalse(values.values().stream().anyMatch(v -> v instanceof Double d && d.isNaN()), what + ": " + values);
    }
}
