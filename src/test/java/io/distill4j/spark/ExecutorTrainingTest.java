package io.distill4j.spark;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.train.Run;
import io.distill4j.train.TinyRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an executor says when it cannot use the run's data. */
class ExecutorTrainingTest {

    @Test
    void aDataPathTheExecutorCannotReadIsNamedWithWhatToDo(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        var folders = new io.distill4j.data.DatasetSpec.ImageFolders();
        folders.path = dir.resolve("only-on-the-driver").toString();
        folders.height = 16;
        folders.width = 16;
        config.data = folders;
        TrainingJob job = new TrainingJob("candidate-000", RunConfigs.toYaml(config), "0".repeat(64), new HashMap<>(),
                1, null, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ExecutorTraining().call(job));
        assertTrue(e.getMessage().contains("cannot open the data of candidate-000")
                && e.getMessage().contains("only-on-the-driver")
                && e.getMessage().contains("must be readable on every worker"), e.getMessage());
    }

    @Test
    void otherDataThanTheDriversIsRefused(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        String fingerprint = Run.openData(config).fingerprint();
        config.data.seed = config.data.seed + 1;
        TrainingJob job = new TrainingJob("candidate-001", RunConfigs.toYaml(config), fingerprint, new HashMap<>(),
                1, null, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ExecutorTraining().call(job));
        assertTrue(e.getMessage().contains("reads other data than the driver for candidate-001"), e.getMessage());
    }
}
