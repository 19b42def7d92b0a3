package io.distill4j.train;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Dataset;
import io.distill4j.data.Split;
import io.distill4j.model.UNetFactory;
import io.distill4j.util.Progress;
import org.deeplearning4j.datasets.iterator.EarlyTerminationDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An epoch's progress bar counts the batches DL4J fits, with the running loss, from the first batch. */
class EpochMonitorTest {

    @Test
    void theEpochsBarCountsFittedBatchesAndShowsTheLoss(@TempDir Path dir) {
        RunConfig config = TinyRuns.segmentation(dir);
        Dataset data = Run.openData(config);
        ComputationGraph graph = UNetFactory.build(Trainer.spec(config, config.student, data, false));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        EpochMonitor monitor = new EpochMonitor(new StopSignal(), false,
                (label, total) -> Progress.start(label, total, out, false, 10_000));
        graph.setListeners(monitor);
        monitor.startEpoch("student 1/1", 3);
        graph.fit(new EarlyTerminationDataSetIterator(data.iterator(Split.TRAIN, 4, false), 3));
        monitor.endEpoch();
        assertEquals(3, monitor.batches());
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).startsWith("student 1/1") && lines.get(0).contains(" 0/3"), lines.toString());
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("3/3") && last.contains(String.format(java.util.Locale.ROOT, "loss %.4f",
                monitor.meanLoss())), last);
    }
}
