package io.distill4j.train;

import io.distill4j.loss.DistillationLoss;
import io.distill4j.loss.DistillationOutputLayerImpl;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Listens to one epoch of {@code ComputationGraph.fit}: sums the distillation layer's batch statistics (so the
 * epoch's loss terms and accuracy cost no extra pass), stops on a NaN/Inf loss, honours a {@link StopSignal}, and
 * drives a progress bar with ETA when there is a console.
 */
final class EpochMonitor extends BaseTrainingListener {

    private final StopSignal stop;
    private final boolean hasTeacher;
    private ProgressBar progress;
    private double lossSum;
    private double hardSum;
    private int hardBatches;
    private double teacherSum;
    private int teacherBatches;
    private long correct;
    private long counted;
    private int batches;
    private String label = "";

    EpochMonitor(StopSignal stop, boolean hasTeacher) {
        this.stop = stop;
        this.hasTeacher = hasTeacher;
    }

    /** Starts an epoch of {@code totalBatches} (or unknown when < 0). */
    void startEpoch(String label, long totalBatches) {
        this.label = label;
        lossSum = hardSum = teacherSum = 0;
        correct = counted = 0;
        batches = hardBatches = teacherBatches = 0;
        if (System.console() != null) {
            progress = new ProgressBarBuilder().setTaskName(label).setInitialMax(totalBatches)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build();
        }
    }

    void endEpoch() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        double score = model.score();
        if (!Double.isFinite(score)) {
            endEpoch();
            throw new NonFiniteLossException("the training loss became " + score + " in " + label + " at batch "
                    + (batches + 1) + "; lower the learning rate or check the data");
        }
        ComputationGraph graph = (ComputationGraph) model;
        DistillationLoss.BatchStats stats = ((DistillationOutputLayerImpl) graph.getOutputLayer(0)).lastStats();
        lossSum += score;
        batches++;
        if (stats != null) {
            if (!Double.isNaN(stats.meanHardLoss())) {
                hardSum += stats.meanHardLoss();
                hardBatches++;
            }
            // the teacher terms: the output layer's own plus those of the training-only feature layers
            double teacher = stats.meanTeacherLoss();
            for (int i = 1; i < graph.getNumOutputArrays(); i++) {
                teacher = (Double.isNaN(teacher) ? 0 : teacher) + graph.getOutputLayer(i).score();
            }
            if (!Double.isNaN(teacher)) {
                teacherSum += teacher;
                teacherBatches++;
            }
            correct += stats.correct();
            counted += stats.labelled();
        }
        if (progress != null) {
            progress.step();
            progress.setExtraMessage(String.format(" loss %.4f", lossSum / batches));
        }
        if (stop.isRequested()) {
            endEpoch();
            throw new StopSignal.StopRequested();
        }
    }

    int batches() {
        return batches;
    }

    double meanLoss() {
        return batches == 0 ? Double.NaN : lossSum / batches;
    }

    /** Mean over batches of the hard-label cross-entropy (batches with labelled rows). */
    double meanHardLoss() {
        return hardBatches == 0 ? Double.NaN : hardSum / hardBatches;
    }

    /** Mean over batches of the weighted teacher terms. */
    double meanSoftLoss() {
        return teacherBatches == 0 || !hasTeacher ? Double.NaN : teacherSum / teacherBatches;
    }

    double accuracy() {
        return counted == 0 ? Double.NaN : (double) correct / counted;
    }
}
