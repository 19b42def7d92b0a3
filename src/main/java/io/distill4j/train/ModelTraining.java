package io.distill4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

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

    /**
     * Runs {@code jobs} {@code parallelism} at a time (in this thread, in order, when it is 1) and hands each result
     * to {@code done} in the jobs' order, as soon as it and those before it have finished; the first failure is
     * rethrown (a checked cause wrapped in an IllegalStateException). How sweeps' siblings train several models at
     * once: an experiment's runs, a search's candidates.
     *
     * @throws InterruptedException when this thread is interrupted while it waits (the jobs are cancelled)
     */
    static <T> void inOrder(int parallelism, List<? extends Supplier<T>> jobs, Consumer<T> done)
            throws InterruptedException {
        if (parallelism <= 1) {
            jobs.forEach(job -> done.accept(job.get()));
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Supplier<T> job : jobs) {
                futures.add(pool.submit(job::get));
            }
            for (Future<T> future : futures) {
                try {
                    done.accept(future.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every model in this JVM, one after the other. */
    ModelTraining LOCAL = (trainer, name, teacher, epochs, resume) -> trainer.train(name,
            () -> Trainer.build(Trainer.spec(trainer.config(), trainer.config().student, trainer.data(),
                    teacher != null), trainer.config().student), teacher, epochs, resume, List.of());
}
