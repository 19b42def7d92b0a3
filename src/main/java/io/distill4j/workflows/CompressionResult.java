package io.distill4j.workflows;

import io.distill4j.compress.Stage;

import java.nio.file.Path;
import java.util.List;

/**
 * What a compression workflow (pruning, quantization, the pipeline) produced: its run folder, the model file written
 * and every measured stage.
 */
public record CompressionResult(Path runDir, Path output, String metricName, List<Stage> stages) {

    public CompressionResult {
        stages = List.copyOf(stages);
    }

    /** The stages as a Markdown table. */
    public String table() {
        return Stage.table(metricName, stages);
    }
}
