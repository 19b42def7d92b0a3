package io.distill4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.List;

/**
 * A model a {@link Trainer} finished: the network at its best validation epoch, saved at {@code modelFile}, and the
 * per-epoch history of the whole run.
 */
public record TrainedModel(String name, ComputationGraph graph, Path modelFile, List<EpochRecord> history,
                           EpochRecord best, boolean stoppedEarly) {
}
