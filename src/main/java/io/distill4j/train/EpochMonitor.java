package io.distill4j.train;

import io.distill4j.loss.DistillationLoss;
import io.distill4j.loss.DistillationOutputLayerImpl;
import io.distill4j.util.Progress;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Listens to one epoch of {@code ComputationGraph.fit}: sums the distillation layer's batch statistics (so the
 * epoch's loss terms and accuracy cost no extra pass), stops on a NaN/Inf loss, honours a {@link StopSignal}, and
 * drives a {@link Progress} bar with ETA on standard output from the epoch's first batch.
 */
final class EpochMonitor extends BaseTrainingListener {

    private final StopSignal stop;
    private final boolean hasTeacher;
    private final java.util.function.BiFunction<String, Long, Progress> bars;
    private Progress progress;
    private double lossSum;
    private double hardSum;
    private int hardBatches;
    private double teacherSum;
    private int teacherBatches;
    private long correct;
    private long counted;
    private int batches;
    private String label = "";
    /**
     * Set while ParallelWrapper's threads train: a failure or a stop then ends the wrapper's fit through this instead
     * of an exception thrown in a worker thread, and {@link #rethrow} raises it on the training thread.
     */
    private Runnable stopWorkers;
    private RuntimeException failure;

    EpochMonitor(StopSignal stop, boolean hasTeacher) {
        this(stop, hasTeacher, Progress::start);
    }

    /** @param bars opens an epoch's progress bar from its label and batch count (tests capture it) */
    EpochMonitor(StopSignal stop, boolean hasTeacher, java.util.function.BiFunction<String, Long, Progress> bars) {
        this.stop = stop;
        this.hasTeacher = hasTeacher;
        this.bars = bars;
    }

    /** Starts an epoch of {@code totalBatches} (or unknown when < 0). */
    void startEpoch(String label, long totalBatches) {
        this.label = label;
        lossSum = hardSum = teacherSum = 0;
        correct = counted = 0;
        batches = hardBatches = teacherBatches = 0;
        endEpoch();
        progress = bars.apply(label, totalBatches);
    }

    void endEpoch() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    /** Routes failures and stops of the coming fit to {@code stopWorkers} (ParallelWrapper's stopFit); null: throw. */
    synchronized void onWorkerThreads(Runnable stopWorkers) {
        this.stopWorkers = stopWorkers;
        this.failure = null;
    }

    /** After a fit on worker threads: the failure or stop that ended it, raised here. */
    synchronized void rethrow() {
        stopWorkers = null;
        if (failure != null) {
            throw failure;
        }
    }

    private void fail(RuntimeException e) {
        endEpoch();
        if (stopWorkers == null) {
            throw e;
        }
        if (failure == null) {
            failure = e;
            stopWorkers.run();
        }
    }

    // synchronized: with ParallelWrapper every replica calls it from its own thread
    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        if (failure != null) {
            return;
        }
        double score = model.score();
        if (!Double.isFinite(score)) {
            fail(new NonFiniteLossException("the training loss became " + score + " in " + label + " at batch "
                    + (batches + 1) + "; lower the learning rate or check the data"));
            return;
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
            progress.note("loss %.4f", lossSum / batches);
        }
        if (stop.isRequested()) {
            fail(new StopSignal.StopRequested());
        }
    }

    /** An epoch fitted elsewhere (on a cluster) whose batches this listener did not see: its reported mean loss. */
    synchronized void epochScore(double meanLoss) {
        if (batches == 0 && Double.isFinite(meanLoss)) {
            lossSum = meanLoss;
            batches = 1;
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
