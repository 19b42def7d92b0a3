package io.distill4j.train;

import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    @Test
    void distillationLeavesTheTeacherBitIdenticalAndRecordsBothLossTerms(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        try (Run run = Run.start(config, "test", new StopSignal())) {
            TrainedModel teacher = run.trainFromScratch("teacher", config.teacher);
            assertEquals(2, teacher.history().size());
            INDArray before = teacher.graph().params().dup();
            long passesBefore = run.trainer().teacherForwardBatches();
            TrainedModel student = run.distill("student", teacher.graph());
            assertEquals(before, teacher.graph().params(), "the teacher must not change while distilling");
            // cached logits: one pass over the 16 training samples in batches of 4, not one per epoch
            long passes = run.trainer().teacherForwardBatches() - passesBefore;
            assertEquals((run.data().size(io.distill4j.data.Split.TRAIN) + 3) / 4, passes);
            for (EpochRecord r : student.history()) {
                assertTrue(Double.isFinite(r.trainLoss()) && Double.isFinite(r.trainHardLoss())
                        && Double.isFinite(r.trainSoftLoss()), r.toString());
                assertTrue(r.validationMeanIoU() >= 0 && r.validationMeanIoU() <= 1, r.toString());
                assertTrue(r.trainAccuracy() >= 0 && r.trainAccuracy() <= 1, r.toString());
            }
            assertTrue(Double.isNaN(teacher.history().get(0).trainSoftLoss()), "no soft term without a teacher");
            Path model = run.folder().resolve("student.zip");
            assertTrue(Files.isRegularFile(model));
            assertTrue(ModelFiles.readEntry(model, Run.ENTRY_PROVENANCE).orElseThrow().contains("datasetFingerprint"));
            assertTrue(ModelFiles.readEntry(model, Run.ENTRY_CONFIG).orElseThrow().contains("name: tiny"));
        }
    }

    @Test
    void everyEpochTrainsMaxBatchesEvenWhenTheLastOneStoppedPartWay(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        try (Run run = Run.start(config, "test", new StopSignal())) {
            int batches = (run.data().size(io.distill4j.data.Split.TRAIN) + 3) / 4;
            // one batch fewer than the split has: epoch 1 leaves one behind, which epoch 2 used to train alone
            config.training.maxBatches = batches - 1;
            assertTrue(batches - 1 >= 2, "the test needs at least 3 batches, has " + batches);
            int[] fitted = new int[1];
            run.trainer().train("student", () -> io.distill4j.model.UNetFactory.build(
                    Trainer.spec(config, config.student, run.data(), false)), null, 2, false,
                    List.of(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
                        @Override
                        public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
                            fitted[0]++;
                        }
                    }));
            assertEquals(2 * (batches - 1), fitted[0], "maxBatches per epoch, both epochs");
        }
    }

    @Test
    void anInterruptedRunResumesAtTheEpochItStoppedIn(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.training.epochs = 3;
        StopSignal stop = new StopSignal();
        Path runDir;
        try (Run run = Run.start(config, "test", stop)) {
            runDir = run.folder().dir();
            // epoch 1 finishes and is checkpointed; then a stop arrives during epoch 2
            var spec = Trainer.spec(config, config.teacher, run.data(), false);
            run.trainer().train("teacher", spec, null, 1, false);
            stop.request();
            RunInterruptedException e = assertThrows(RunInterruptedException.class,
                    () -> run.trainer().train("teacher", spec, null, 3, true));
            assertTrue(e.getMessage().contains("during epoch 2"), e.getMessage());
        }
        try (Run resumed = Run.resume(runDir, "test", new StopSignal())) {
            TrainedModel teacher = resumed.trainFromScratch("teacher", resumed.config().teacher);
            assertEquals(List.of(1, 2, 3), teacher.history().stream().map(EpochRecord::epoch).toList());
        }
    }

    @Test
    void aDivergingLossStopsTheRunWithAClearMessage(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.optimizer.learningRate = 1e30;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> run.trainFromScratch("teacher", config.teacher));
            assertTrue(e.getMessage().contains("loss became"), e.getMessage());
        }
    }

    @Test
    void theConfiguredOptimizerIsTheOneTheNetworkUses(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.optimizer.type = io.distill4j.config.OptimizerType.NESTEROVS;
        config.optimizer.learningRate = 0.02;
        config.optimizer.momentum = 0.8;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            var spec = Trainer.spec(config, config.student, run.data(), true);
            org.nd4j.linalg.learning.config.Nesterovs n = (org.nd4j.linalg.learning.config.Nesterovs) spec.updater();
            assertEquals(0.02, n.getLearningRate());
            assertEquals(0.8, n.getMomentum());
            assertEquals(config.distillation.alpha, spec.alpha());
            assertEquals(1.0, Trainer.spec(config, config.student, run.data(), false).alpha(), "scratch: hard labels");
        }
    }

    /** A sweep candidate's alpha and T live in its output layer; a config without terms must not replace them. */
    @Test
    void withoutConfigTermsTheStudentKeepsTheKdTermItWasBuiltWith(@org.junit.jupiter.api.io.TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        config.training.epochs = 1;
        try (Run run = Run.start(config, "test", new StopSignal())) {
            TrainedModel teacher = run.trainFromScratch("teacher", config.teacher);
            RunConfig candidate = io.distill4j.config.RunConfigs.copy(config);
            candidate.distillation.terms = null;
            candidate.distillation.alpha = 0.3;
            candidate.distillation.temperature = 3.0;
            TrainedModel student = run.trainer().withConfig(candidate).train("candidate",
                    Trainer.spec(candidate, candidate.student, run.data(), true), teacher.graph(), 1, false);
            io.distill4j.loss.DistillationOutputLayer out = (io.distill4j.loss.DistillationOutputLayer)
                    student.graph().getLayer(io.distill4j.model.UNetFactory.OUTPUT).conf().getLayer();
            assertEquals(java.util.List.of(new io.distill4j.loss.DistillationTerm.Kd(1, 0.3, 3.0)), out.terms());
        }
    }
}
