package io.distill4j.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads the pre-softmax logits of a network built by {@link UNetFactory}: what a teacher hands to a student. */
public final class Logits {

    private Logits() {
    }

    /** Inference-mode logits ({@code [N, C, H, W]} or {@code [N, C]}) for a batch of features. */
    public static INDArray of(ComputationGraph graph, INDArray features) {
        if (graph.getVertex(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException("network has no vertex named \"" + UNetFactory.LOGITS
                    + "\"; it was not built by UNetFactory");
        }
        // output(List, ...) computes and detaches only the vertices the logits need; feedForward would copy every
        // layer's activation out of the workspace (that doubled a teacher forward pass at 256×256)
        return graph.output(java.util.List.of(UNetFactory.LOGITS), false, new INDArray[]{features}, null)[0];
    }
}
