package io.distill4j.ui;

import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.DefaultStatsInitializationConfiguration;
import org.deeplearning4j.ui.model.stats.api.StatsType;
import org.deeplearning4j.ui.model.stats.api.StatsUpdateConfiguration;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A run's training statistics for DL4J's UI, recorded to {@code <run>/}{@link #FILE_NAME} (a {@code FileStatsStorage})
 * and, while a {@link TrainingUi} runs in this JVM, shown live. Every model the run trains is one UI session,
 * {@code <run folder name>.<model>}; its worker {@code <model>} is DL4J's {@link StatsListener} (loss, the parameter,
 * update, gradient and activation statistics DL4J's UI shows, memory, speed, every
 * {@link #DEFAULT_REPORTING_FREQUENCY} iterations), the worker
 * {@code <model>/total loss} the loss every iteration and, for a distilled model, the workers
 * {@code <model>/hard-label loss} and {@code <model>/distillation term} the two terms of the loss
 * ({@link LossTermsListener}).
 */
public final class TrainingStats implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrainingStats.class);
    public static final String FILE_NAME = "training-stats.dl4j";
    /**
     * DL4J's statistics ({@link DisplayedStatistics}) every this many iterations; the loss terms are recorded every
     * iteration. Measured on this project's land-cover student: see the README's "Training UI" section.
     */
    public static final int DEFAULT_REPORTING_FREQUENCY = 10;

    private final Path file;
    private final String runName;
    private final StatsStorage storage;
    private final int reportingFrequency;

    private TrainingStats(Path file, String runName, StatsStorage storage, int reportingFrequency) {
        this.file = file;
        this.runName = runName;
        this.storage = storage;
        this.reportingFrequency = reportingFrequency;
    }

    /** Opens (or, for a resumed run, reopens and appends to) the stats file of a run folder. */
    public static TrainingStats open(Path runDir) {
        return open(runDir, DEFAULT_REPORTING_FREQUENCY);
    }

    public static TrainingStats open(Path runDir, int reportingFrequency) {
        if (reportingFrequency < 1) {
            throw new IllegalArgumentException("stats reporting frequency must be >= 1, got " + reportingFrequency);
        }
        Path file = runDir.resolve(FILE_NAME);
        StatsStorage storage;
        try {
            storage = new FileStatsStorage(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot open training stats " + file + ": " + e.getMessage(), e);
        }
        TrainingStats stats = new TrainingStats(file, runDir.getFileName().toString(), storage, reportingFrequency);
        TrainingUi.current().ifPresent(ui -> {
            ui.attach(storage);
            log.info("training stats of {} shown live at {}", stats.runName, ui.address());
        });
        return stats;
    }

    public Path file() {
        return file;
    }

    public StatsStorage storage() {
        return storage;
    }

    /** The UI session id of a model of this run. */
    public String sessionId(String model) {
        return runName + "." + model;
    }

    /** The DL4J listeners that record the training of {@code model}. */
    public List<TrainingListener> listeners(String model, boolean distilled) {
        String session = sessionId(model);
        StatsUpdateConfiguration update = new DisplayedStatistics(reportingFrequency);
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(new StatsListener(storage, new DefaultStatsInitializationConfiguration(true, true, true), update,
                session, model));
        listeners.add(new LossTermsListener(storage, session, model, distilled));
        return listeners;
    }

    /**
     * DL4J's statistics limited to what its UI draws (its {@code TrainModule} in M2.1): mean magnitudes of parameters
     * and updates (the update:parameter ratios), standard deviations of activations, gradients and updates, activation
     * means, histograms of parameters and updates (the model page), learning rates, memory, speed and garbage
     * collection. DL4J's default also computed gradient and activation histograms, parameter means and deviations and
     * three more mean magnitudes that no page shows: with them, recording took a tenth of a 64×64 student's training
     * epoch (JFR; README, "Levers, measured"). Not DL4J's {@code DefaultStatsUpdateConfiguration}: in M2.1 it
     * collects gradient histograms whenever gradient deviations are asked for.
     */
    record DisplayedStatistics(int reportingFrequency) implements StatsUpdateConfiguration, Serializable {
        private static final Set<StatsType> HISTOGRAMS = EnumSet.of(StatsType.Parameters, StatsType.Updates);
        private static final Set<StatsType> MEANS = EnumSet.of(StatsType.Activations);
        private static final Set<StatsType> DEVIATIONS = EnumSet.of(StatsType.Activations, StatsType.Gradients,
                StatsType.Updates);
        private static final Set<StatsType> MEAN_MAGNITUDES = EnumSet.of(StatsType.Parameters, StatsType.Updates);
        /** DL4J's default bin count. */
        private static final int HISTOGRAM_BINS = 20;

        @Override
        public boolean collectPerformanceStats() {
            return true;
        }

        @Override
        public boolean collectMemoryStats() {
            return true;
        }

        @Override
        public boolean collectGarbageCollectionStats() {
            return true;
        }

        @Override
        public boolean collectLearningRates() {
            return true;
        }

        @Override
        public boolean collectHistograms(StatsType type) {
            return HISTOGRAMS.contains(type);
        }

        @Override
        public int numHistogramBins(StatsType type) {
            return HISTOGRAM_BINS;
        }

        @Override
        public boolean collectMean(StatsType type) {
            return MEANS.contains(type);
        }

        @Override
        public boolean collectStdev(StatsType type) {
            return DEVIATIONS.contains(type);
        }

        @Override
        public boolean collectMeanMagnitudes(StatsType type) {
            return MEAN_MAGNITUDES.contains(type);
        }
    }

    /** Closes the stats file (detaching it from a running UI first). */
    @Override
    public void close() {
        TrainingUi.current().ifPresent(ui -> ui.detach(storage));
        try {
            storage.close();
        } catch (Exception e) {
            log.warn("closing training stats {} failed: {}", file, e.toString());
        }
    }
}
