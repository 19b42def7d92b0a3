package io.distill4j.train;

import java.util.List;

/**
 * One epoch of one model: training losses (total, and the two terms before weighting: hard-label cross-entropy and
 * T² · KL to the teacher, NaN without a teacher), training accuracy (per pixel for segmentation), and the validation
 * loss (hard labels), accuracy, mean IoU (NaN for classification) and main score.
 */
public record EpochRecord(int epoch, double trainLoss, double trainHardLoss, double trainSoftLoss,
                          double trainAccuracy, double validationLoss, double validationAccuracy,
                          double validationMeanIoU, double validationScore, double seconds) {

    public static final List<String> CSV_HEADER = List.of("epoch", "train_loss", "train_hard_loss",
            "train_soft_loss", "train_accuracy", "validation_loss", "validation_accuracy", "validation_mean_iou",
            "validation_score", "seconds");

    public List<Object> csvRow() {
        return List.of(epoch, trainLoss, trainHardLoss, trainSoftLoss, trainAccuracy, validationLoss,
                validationAccuracy, validationMeanIoU, validationScore, seconds);
    }
}
