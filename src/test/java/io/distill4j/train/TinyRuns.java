package io.distill4j.train;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;

import io.distill4j.workflows.Training;

import java.nio.file.Path;
import java.util.List;

/** Tiny run configs for tests: 16x16 land cover, two-block networks, a couple of batches per epoch. */
public final class TinyRuns {

    private TinyRuns() {
    }

    public static RunConfig segmentation(Path dir) {
        return RunConfigs.load(null, List.of(
                "name=tiny", "data.height=16", "data.width=16", "data.samples=24",
                "teacher.filters=[4,8]", "student.filters=[2,4]",
                "training.epochs=2", "teacher.epochs=null", "student.epochs=null", "training.batchSize=4", "training.maxBatches=2", "training.maxEvalBatches=1",
                "output.runsDir=" + dir.resolve("runs"), "output.modelsDir=" + dir.resolve("models"),
                "output.mosaics=2"));
    }

    /** A tiny N2N search: a 3-level teacher, 2 + 2 iterations of 2 rollouts, 1 epoch per candidate, no final training. */
    public static RunConfig search(Path dir) {
        RunConfig config = segmentation(dir);
        config.name = "tiny-search";
        config.teacher.filters = List.of(4, 8, 16);
        config.search.rollouts = 2;
        config.search.removalIterations = 2;
        config.search.shrinkageIterations = 2;
        config.search.candidateEpochs = 1;
        config.search.finalEpochs = 0;
        config.search.policyUnits = 4;
        return config;
    }

    public static RunConfig classification(Path dir) {
        RunConfig c = segmentation(dir);
        c.data = RunConfigs.load(null, List.of("data.type=landcover-patches", "data.height=16", "data.width=16",
                "data.samples=24")).data;
        c.name = "tiny-classes";
        c.distillation.terms = null; // the land-cover config's cwd needs spatial logits
        return c;
    }

    /** A tiny student ({@code [4, 8]} filters) trained one epoch from scratch, promoted as {@code <name>-student-scratch}. */
    public static Path promotedStudent(RunConfig config, String name) {
        config.name = name;
        config.training.epochs = 1;
        config.student.filters = List.of(4, 8);
        config.output.mosaics = 0;
        return Training.run(Training.Options.of(config, Training.Network.STUDENT)).promoted();
    }
}
