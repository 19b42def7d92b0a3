package io.distill4j.eval;

import io.distill4j.data.Task;

import java.util.Locale;

/**
 * An {@link EvaluationResult} as a reader wants it on the console or in a report: the split's size in images (and
 * pixels), the headline metrics, and one row per class with its support, IoU (segmentation), precision, recall and F1,
 * rounded to 4 places ("–" where a metric is undefined, e.g. a class that never occurs).
 */
public final class EvaluationTable {

    private EvaluationTable() {
    }

    /**
     * @param split  the split's name, e.g. "test"
     * @param images images evaluated
     */
    public static String markdown(EvaluationResult r, String split, long images) {
        boolean segmentation = r.task() == Task.SEGMENTATION;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s split: %,d images", split, images));
        if (segmentation) {
            out.append(String.format(Locale.ROOT, ", %,d pixels counted%s", r.count(),
                    r.ignoreIndex() != null ? " (class " + r.classNames().get(r.ignoreIndex()) + " ignored)" : ""));
        }
        out.append("\n\n");
        out.append(segmentation
                ? String.format(Locale.ROOT, "mean IoU %s, pixel accuracy %s", f(r.meanIoU()), f(r.accuracy()))
                : String.format(Locale.ROOT, "accuracy %s", f(r.accuracy())));
        out.append(String.format(Locale.ROOT, ", macro precision %s, recall %s, F1 %s%n%n", f(r.macroPrecision()),
                f(r.macroRecall()), f(r.macroF1())));
        out.append(segmentation ? "| class | pixels | IoU | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|\n"
                : "| class | images | precision | recall | F1 |\n|---|---:|---:|---:|---:|\n");
        for (int c = 0; c < r.numClasses(); c++) {
            if (r.isIgnored(c)) {
                continue;
            }
            long support = 0;
            for (long v : r.confusion()[c]) {
                support += v;
            }
            out.append("| ").append(r.classNames().get(c)).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", support)).append(" | ");
            if (segmentation) {
                out.append(f(r.iou()[c])).append(" | ");
            }
            out.append(f(r.precision()[c])).append(" | ").append(f(r.recall()[c])).append(" | ").append(f(r.f1()[c]))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.4f", v);
    }
}
