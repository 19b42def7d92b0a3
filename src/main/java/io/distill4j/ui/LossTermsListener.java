package io.distill4j.ui;

import io.distill4j.loss.DistillationLoss;
import io.distill4j.loss.DistillationOutputLayerImpl;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsInitializationReport;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsReport;
import org.deeplearning4j.ui.model.storage.impl.SbeStorageMetaData;

/**
 * Records a model's loss every iteration as extra UI workers of its session, so the training UI's overview charts
 * them (its worker selector switches between them) even between the iterations DL4J's {@link StatsListener} reports:
 * {@code <model>/total loss} and, for a distilled model, the two parts of its loss, {@code <model>/hard-label loss}
 * (cross-entropy with the labels, per labelled pixel or example) and {@code <model>/distillation term} (the teacher
 * terms: soft targets and any other configured {@code DistillationTerm}s, feature terms included): the same per-batch
 * values whose epoch means go to {@code <model>.metrics.csv}. Runs after
 * DL4J's {@link StatsListener}, whose model description it copies once.
 */
final class LossTermsListener extends BaseTrainingListener {

    static final String HARD = "/hard-label loss";
    static final String SOFT = "/distillation term";
    static final String TOTAL = "/total loss";

    private final StatsStorage storage;
    private final String session;
    private final String model;
    private final boolean distilled;
    private final long start = System.currentTimeMillis();
    private long minibatches;
    private long examples;
    private boolean described;

    LossTermsListener(StatsStorage storage, String session, String model, boolean distilled) {
        this.storage = storage;
        this.session = session;
        this.model = model;
        this.distilled = distilled;
    }

    @Override
    public void iterationDone(Model network, int iteration, int epoch) {
        if (!(network instanceof ComputationGraph graph)
                || !(graph.getOutputLayer(0) instanceof DistillationOutputLayerImpl output)) {
            return;
        }
        long now = System.currentTimeMillis();
        if (!described) {
            describe(now);
            described = true;
        }
        minibatches++;
        examples += graph.batchSize();
        put(model + TOTAL, now, iteration, network.score());
        DistillationLoss.BatchStats stats = output.lastStats();
        if (distilled && stats != null) {
            if (!Double.isNaN(stats.meanHardLoss())) {
                put(model + HARD, now, iteration, stats.meanHardLoss());
            }
            // as in the epoch means of metrics.csv: the output layer's teacher terms plus the feature layers' losses
            double teacher = stats.meanTeacherLoss();
            for (int i = 1; i < graph.getNumOutputArrays(); i++) {
                teacher = (Double.isNaN(teacher) ? 0 : teacher) + graph.getOutputLayer(i).score();
            }
            if (!Double.isNaN(teacher)) {
                put(model + SOFT, now, iteration, teacher);
            }
        }
    }

    /** Each term's worker gets the model description (layers, parameters, hardware) the UI's tables show. */
    private void describe(long now) {
        Persistable main = storage.getStaticInfo(session, StatsListener.TYPE_ID, model);
        String[] workers = distilled ? new String[]{model + TOTAL, model + HARD, model + SOFT}
                : new String[]{model + TOTAL};
        for (String worker : workers) {
            storage.putStorageMetaData(new SbeStorageMetaData(now, session, StatsListener.TYPE_ID, worker,
                    SbeStatsInitializationReport.class, SbeStatsReport.class));
            if (main instanceof SbeStatsInitializationReport report) {
                SbeStatsInitializationReport copy = new SbeStatsInitializationReport();
                copy.decode(report.encode());
                copy.reportIDs(session, StatsListener.TYPE_ID, worker, now);
                storage.putStaticInfo(copy);
            }
        }
    }

    private void put(String worker, long now, int iteration, double value) {
        SbeStatsReport report = new SbeStatsReport();
        report.reportIDs(session, StatsListener.TYPE_ID, worker, now);
        report.reportIterationCount(iteration);
        report.reportScore(value);
        report.reportPerformance(now - start, examples, minibatches, 0, 0);
        Runtime runtime = Runtime.getRuntime();
        report.reportMemoryUse(runtime.totalMemory(), runtime.maxMemory(), Pointer.totalBytes(), Pointer.maxBytes(),
                null, null);
        report.reportStatsCollectionDurationMS(0);
        storage.putUpdate(report);
    }
}
