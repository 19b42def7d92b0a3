package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.ResNetArchitecture;
import io.distill4j.model.ResNetDepth;
import io.distill4j.model.ResNetFactory;
import io.distill4j.model.ResNetStem;
import io.distill4j.model.UNetSpec;
import io.distill4j.train.TinyRuns;
import io.distill4j.tune.Experiment;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ResNet teachers and students through the same workflows as the U-Nets: train, distil, experiment. */
@Tag("e2e")
class ResNetRunsTest {

    static RunConfig resnets(Path dir) {
        RunConfig config = TinyRuns.classification(dir);
        config.teacher.filters = null;
        config.teacher.resnet = ResNetArchitecture.of(ResNetDepth.RESNET8, 0.5, ResNetStem.SMALL);
        config.student.filters = null;
        config.student.resnet = ResNetArchitecture.of(ResNetDepth.RESNET8, 0.25, ResNetStem.SMALL);
        config.output.mosaics = 0;
        return config;
    }

    @Test
    void aResNetTeacherTrainsAndTeachesASmallerResNet(@TempDir Path dir) {
        RunConfig config = resnets(dir);
        Training.Result teacher = Training.run(Training.Options.of(config, Training.Network.TEACHER));
        ComputationGraph saved = ModelFiles.load(teacher.promoted());
        assertEquals(8, width(saved, "stem_conv"), "resnet8 x0.5: 8 channels in the stem");
        Training.Result student = Distillation.run(TeacherRun.of(resnets(dir), teacher.promoted()));
        ComputationGraph distilled = student.model().graph();
        assertEquals(4, width(distilled, "stem_conv"));
        assertTrue(distilled.getVertex("stage3_block1_shortcut_conv") != null, "a ResNet, not a U-Net");
        assertTrue(distilled.numParams() < saved.numParams() / 3, distilled.numParams() + " vs " + saved.numParams());
        assertTrue(Double.isFinite(student.model().history().get(1).trainSoftLoss()), "distillation term recorded");
        assertTrue(Files.isRegularFile(student.promoted()));

        // the experiment's students are the config's ResNet too
        RunConfig experiment = resnets(dir);
        experiment.training.epochs = 1;
        Experiment.Result result = Experiments.run(Experiments.Options.of(experiment, teacher.promoted(),
                List.of(Experiments.MethodChoice.preset("kd")), 2));
        assertEquals(4, result.runs().size());
        ComputationGraph kdStudent = ModelFiles.load(result.runDir().resolve("kd-seed42.zip"));
        assertEquals(distilled.numParams(), kdStudent.numParams());
        assertTrue(kdStudent.getVertex("stage3_block1_out") != null);
    }

    @Test
    void aTeacherOfOtherClassesIsAClearErrorBeforeAnyRunFolder(@TempDir Path dir) {
        RunConfig config = resnets(dir);
        Path teacher = dir.resolve("two-classes.zip");
        ModelFiles.save(ResNetFactory.build(UNetSpec.of(List.of(4, 8, 16), Task.CLASSIFICATION, 3, 2, 16, 16),
                config.teacher.resnet), teacher, null);
        String message = assertThrows(IllegalArgumentException.class,
                () -> Distillation.run(TeacherRun.of(config, teacher))).getMessage();
        assertTrue(message.contains("the teacher predicts 2 classes (logits weights [32, 2]), the data has 5 ("), message);
        assertFalse(Files.exists(dir.resolve("runs")), "no run folder");
        // the architecture search has U-Net moves only
        message = assertThrows(IllegalArgumentException.class,
                () -> Search.run(TeacherRun.of(resnets(dir), teacher))).getMessage();
        assertTrue(message.startsWith("student.resnet: the architecture search removes and shrinks U-Net levels"),
                message);
        assertFalse(Files.exists(dir.resolve("runs")), "no run folder");
    }

    private static long width(ComputationGraph graph, String layer) {
        return ((ConvolutionLayer) graph.getLayer(layer).conf().getLayer()).getNOut();
    }
}
