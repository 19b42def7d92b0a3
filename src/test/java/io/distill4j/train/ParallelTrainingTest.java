package io.distill4j.train;

import io.distill4j.config.ConfigException;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code training.workers} (--workers): data-parallel training through DL4J's ParallelWrapper. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ParallelTrainingTest {

    @Test
    void twoWorkersTrainEveryBatchOnceAndTheStudentLearns(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.data = RunConfigs.load(null, List.of("data.height=16", "data.width=16", "data.samples=64")).data;
        config.student.filters = List.of(4, 8);
        config.training.maxBatches = 0;
        config.training.maxEvalBatches = 0;
        config.training.batchSize = 8;
        config.training.epochs = 4;
        config.optimizer.learningRate = 1e-2;
        config.training.workers = 2;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            int batches = (run.data().size(Split.TRAIN) + 7) / 8;
            AtomicInteger fitted = new AtomicInteger();
            TrainedModel student = run.trainer().train("student", () -> io.distill4j.model.UNetFactory.build(
                    Trainer.spec(config, config.student, run.data(), false)), null, 4, false,
                    List.of(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
                        @Override
                        public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
                            fitted.incrementAndGet();
                        }
                    }));
            // the replicas together see every batch of every epoch once
            assertEquals(4 * batches, fitted.get());
            List<EpochRecord> h = student.history();
            assertEquals(4, h.size());
            assertTrue(h.get(3).trainLoss() < 0.9 * h.get(0).trainLoss(),
                    "the averaged model learns: training loss " + h.get(0).trainLoss() + " -> " + h.get(3).trainLoss());
            assertTrue(h.get(3).validationLoss() < h.get(0).validationLoss(),
                    "validation loss " + h.get(0).validationLoss() + " -> " + h.get(3).validationLoss());
        }
    }

    @Test
    void zeroWorkersIsAClearError(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.training.workers = 0;
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfigs.validate(config, "--workers 0"));
        assertTrue(e.getMessage().startsWith("--workers 0: training.workers = 0 is invalid: expected at least 1"),
                e.getMessage());
    }
}
