package io.distill4j.eval;

import io.distill4j.data.Task;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The metrics of one model on one dataset split, as computed by {@link Metrics}. Rows are pixels for segmentation and
 * images for classification; rows whose class is the ignore index are in none of the figures. Per-class arrays are
 * indexed by class id and hold {@code NaN} where a metric is undefined (0/0, e.g. the recall of a class that never
 * occurs). The arrays are the result's own: treat them as read-only.
 *
 * @param task            segmentation or classification
 * @param classNames      one name per class id
 * @param ignoreIndex     the class id left out, or null
 * @param count           rows evaluated (pixels or images, ignored ones excluded)
 * @param accuracy        pixel accuracy (segmentation) or accuracy (classification)
 * @param precision       per-class precision
 * @param recall          per-class recall
 * @param f1              per-class F1
 * @param confusion       confusion matrix, {@code confusion[actual][predicted]}
 * @param iou             per-class IoU = TP / (TP + FP + FN) (segmentation; empty for classification)
 * @param meanIoU         mean IoU over the classes that occur in labels or predictions, ignore class excluded
 *                        (segmentation; NaN for classification)
 * @param precisionRecall per-class precision-recall curves from DL4J's {@code ROCMultiClass} (classification; for
 *                        segmentation per pixel, on at most about 1,024 pixels per image, when the evaluation asked
 *                        for them, else empty)
 */
public record EvaluationResult(Task task, List<String> classNames, Integer ignoreIndex, long count, double accuracy,
                               double[] precision, double[] recall, double[] f1, long[][] confusion, double[] iou,
                               double meanIoU, List<PrecisionRecall> precisionRecall) {

    public EvaluationResult {
        classNames = List.copyOf(classNames);
        precisionRecall = List.copyOf(precisionRecall);
    }

    /**
     * One class's one-vs-all precision-recall curve.
     *
     * @param className the class
     * @param threshold probability thresholds, one per point
     * @param precision precision at each threshold
     * @param recall    recall at each threshold
     * @param auprc     area under the curve (NaN when the class has no positive example)
     * @param prevalence the class's share of the counted rows (pixels or images): the precision of a model without
     *                   skill, the no-skill line of the plot
     */
    public record PrecisionRecall(String className, double[] threshold, double[] precision, double[] recall,
                                  double auprc, double prevalence) {
    }

    public int numClasses() {
        return classNames.size();
    }

    /** The figure runs are compared by: mean IoU for segmentation, accuracy for classification. */
    public double mainScore() {
        return task == Task.SEGMENTATION ? meanIoU : accuracy;
    }

    /** The {@link #summary()} key of {@link #mainScore()}. */
    public String mainMetricName() {
        return task == Task.SEGMENTATION ? "mean_iou" : "accuracy";
    }

    /** Per-class AUPRC (empty when the result has no curves). */
    public double[] auprc() {
        return precisionRecall.stream().mapToDouble(PrecisionRecall::auprc).toArray();
    }

    /** Macro average over the classes where the metric is defined, the ignore class excluded. */
    public double macroPrecision() {
        return macro(precision);
    }

    public double macroRecall() {
        return macro(recall);
    }

    public double macroF1() {
        return macro(f1);
    }

    /**
     * A flat map for CSV and JSON: {@code accuracy}, {@code macro_precision}, {@code macro_recall}, {@code macro_f1},
     * {@code mean_iou} (segmentation) or {@code mean_auprc} (classification), then per class
     * {@code precision_<class>}, {@code recall_<class>}, {@code f1_<class>} and {@code iou_<class>} or
     * {@code auprc_<class>}, where {@code <class>} is the class name lower-cased with other than letters and digits
     * turned to {@code _}. The key set depends only on the task and the class names, so it is stable across epochs.
     */
    public Map<String, Double> summary() {
        Map<String, Double> summary = new LinkedHashMap<>();
        summary.put("accuracy", accuracy);
        summary.put("macro_precision", macroPrecision());
        summary.put("macro_recall", macroRecall());
        summary.put("macro_f1", macroF1());
        if (task == Task.SEGMENTATION) {
            summary.put("mean_iou", meanIoU);
        } else {
            summary.put("mean_auprc", macro(auprc()));
        }
        for (int c = 0; c < numClasses(); c++) {
            String key = key(classNames.get(c));
            summary.put("precision_" + key, precision[c]);
            summary.put("recall_" + key, recall[c]);
            summary.put("f1_" + key, f1[c]);
            if (task == Task.SEGMENTATION) {
                summary.put("iou_" + key, iou[c]);
            } else {
                summary.put("auprc_" + key, precisionRecall.get(c).auprc());
            }
        }
        return summary;
    }

    private double macro(double[] perClass) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < perClass.length; c++) {
            if (!isIgnored(c) && !Double.isNaN(perClass[c])) {
                sum += perClass[c];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    boolean isIgnored(int classId) {
        return ignoreIndex != null && ignoreIndex == classId;
    }

    static String key(String className) {
        return className.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }

    @Override
    public String toString() {
        return "EvaluationResult[" + task + ", " + count + " rows, accuracy=" + accuracy
                + (task == Task.SEGMENTATION ? ", meanIoU=" + meanIoU + ", iou=" + Arrays.toString(iou) : "")
                + ", f1=" + Arrays.toString(f1) + "]";
    }
}
