package io.distill4j.model;

import io.distill4j.data.Dataset;
import io.distill4j.data.Task;
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

    /**
     * Requires a teacher a student on {@code data} can learn from: a logits vertex, and as many classes as the
     * dataset has.
     */
    public static void requireTeacherFor(ComputationGraph teacher, Dataset data) {
        if (teacher.getVertex(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException("the teacher has no \"" + UNetFactory.LOGITS
                    + "\" vertex: it was not built by distill4j (for other teachers, pass log-probabilities)");
        }
        long[] logits = teacher.getLayer(UNetFactory.LOGITS).getParam("W").shape();
        long classes = data.task() == Task.SEGMENTATION ? logits[0] : logits[1];
        if (classes != data.numClasses()) {
            throw new IllegalArgumentException("the teacher predicts " + classes + " classes (weights "
                    + java.util.Arrays.toString(logits) + "), the dataset has " + data.numClasses());
        }
    }
}
