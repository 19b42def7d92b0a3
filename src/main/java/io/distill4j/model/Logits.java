package io.distill4j.model;

import io.distill4j.loss.DistillationLabels;
import io.distill4j.util.NativeArrays;
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
     * A batch's distillation labels: its class ids with the teacher's logits ({@link DistillationLabels#withTeacher}).
     * The logits are freed once copied into the labels, not when a collection finds them (README, Performance).
     */
    public static INDArray distillationLabels(ComputationGraph teacher, INDArray features, INDArray classIds) {
        INDArray teacherLogits = of(teacher, features);
        INDArray labels = DistillationLabels.withTeacher(classIds, teacherLogits);
        NativeArrays.release(teacherLogits);
        return labels;
    }
}
