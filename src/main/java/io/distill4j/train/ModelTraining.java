package io.distill4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/**
 * Where a run's students train: in this JVM ({@link #LOCAL}, {@link Trainer#train}), or on a cluster
 * ({@code io.distill4j.spark.SparkTraining}: each model one Spark task, its files written back into the run folder).
 * Sweeps and experiments train through it, so the run folder, resumability and reports are the same either way.
 */
public interface ModelTraining {

    /**
     * Trains the student of {@code trainer}'s config (built with {@link Trainer#spec}) as the model {@code name} of
     * the run folder.
     *
     * @param teacher a frozen teacher to distill from, or null to train on the labels alone
     * @param resume  return the model if it already finished in the run folder
     */
    TrainedModel train(Trainer trainer, String name, ComputationGraph teacher, int epochs, boolean resume);

    /** How many models it trains at once (the sweep's and the experiment's concurrency). */
    default int parallelism() {
        return 1;
    }

    /** Every model in this JVM, one after the other. */
    ModelTraining LOCAL = (trainer, name, teacher, epochs, resume) -> trainer.train(name,
            () -> Trainer.build(Trainer.spec(trainer.config(), trainer.config().student, trainer.data(),
                    teacher != null), trainer.config().student), teacher, epochs, resume, List.of());
}
