package io.distill4j.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/** Builds the labels {@link DistillationOutputLayer} reads: class ids in channel 0, teacher logits after them. */
public final class DistillationLabels {

    /**
     * The class id of an example (or pixel) without a label, e.g. in a transfer set: it counts in the teacher terms
     * only. Negative, so it can never be a class.
     */
    public static final int UNLABELLED = -1;

    private DistillationLabels() {
    }

    /**
     * @param classIds      {@code [N, 1]} or {@code [N, 1, H, W]} class ids
     * @param teacherLogits {@code [N, C]} or {@code [N, C, H, W]} teacher logits
     * @return {@code [N, 1 + C]} or {@code [N, 1 + C, H, W]}
     */
    public static INDArray withTeacher(INDArray classIds, INDArray teacherLogits) {
        long[] ids = classIds.shape();
        long[] logits = teacherLogits.shape();
        boolean fits = ids.length == logits.length && ids[0] == logits[0] && ids[1] == 1
                && (ids.length == 2 || (ids.length == 4 && ids[2] == logits[2] && ids[3] == logits[3]));
        if (!fits) {
            throw new IllegalArgumentException("class ids of shape " + Arrays.toString(ids)
                    + " do not fit teacher logits of shape " + Arrays.toString(logits));
        }
        return Nd4j.concat(1, classIds.castTo(teacherLogits.dataType()), teacherLogits);
    }

    /**
     * Logits for a teacher that outputs probabilities: their logarithm (clamped away from 0), which equals the
     * teacher's logits up to a per-row constant that softmax ignores.
     */
    public static INDArray logitsFromProbabilities(INDArray probabilities) {
        return Transforms.log(Transforms.max(probabilities, 1e-12, true), false);
    }
}
