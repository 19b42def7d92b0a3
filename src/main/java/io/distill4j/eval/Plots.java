package io.distill4j.eval;

import io.distill4j.util.AtomicFiles;
import io.distill4j.model.ModelFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PNG charts drawn with XChart: per-epoch curves (losses, mean IoU, accuracy), per-class precision-recall curves and
 * the confusion matrix as a heat map. Everything renders headless; files are written atomically.
 */
public final class Plots {

    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    static {
        Headless.ensure();
    }

    private Plots() {
    }

    /**
     * A line chart of several series over one x axis, e.g. training and validation loss per epoch. NaN values (an
     * epoch without validation) are left out of their series; a series with no finite value is left out.
     *
     * @param seriesByName y values per series, each as long as {@code x}; drawn in map order
     * @param x            shared x values (e.g. epochs 1..n)
     */
    public static void lineChart(Path png, String title, String xLabel, String yLabel,
                                 Map<String, double[]> seriesByName, double[] x) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(x.length > 50 ? 0 : 6);
        boolean any = false;
        for (Map.Entry<String, double[]> series : seriesByName.entrySet()) {
            double[] y = series.getValue();
            if (y.length != x.length) {
                throw new IllegalArgumentException("series \"" + series.getKey() + "\" has " + y.length
                        + " values for " + x.length + " x values");
            }
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(y[i]) && Double.isFinite(x[i])) {
                    xs.add(x[i]);
                    ys.add(y[i]);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(series.getKey(), xs, ys);
                any = true;
            }
        }
        if (!any) {
            // XChart cannot scale axes without data; an empty but valid chart keeps per-epoch plotting simple
            chart.addSeries("no data yet", new double[]{0}, new double[]{0}).setMarker(SeriesMarkers.NONE)
                    .setLineColor(new Color(0, 0, 0, 0));
        }
        write(chart, png);
    }

    /**
     * One precision (y) over recall (x) line per class, AUPRC in the legend, and per class its no-skill line, dashed
     * in the same colour: the precision of guessing, the class's prevalence (its share of the pixels or images). Classes
     * without a positive example have no curve (recall is undefined) and are listed in the title instead.
     *
     * @throws IllegalArgumentException if the result has no curves (segmentation evaluated without them)
     */
    public static void precisionRecallCurves(Path png, EvaluationResult result) {
        write(precisionRecallChart(result), png);
    }

    static XYChart precisionRecallChart(EvaluationResult result) {
        if (result.precisionRecall().isEmpty()) {
            throw new IllegalArgumentException("the result has no precision-recall curves; segmentation has them only"
                    + " when evaluated with Metrics.withPrecisionRecall()");
        }
        List<String> missing = new ArrayList<>();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).xAxisTitle("recall").yAxisTitle("precision")
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(0);
        Color[] colors = chart.getStyler().getSeriesColors();
        int drawn = 0;
        for (EvaluationResult.PrecisionRecall curve : result.precisionRecall()) {
            List<Double> recall = new ArrayList<>();
            List<Double> precision = new ArrayList<>();
            for (int i = 0; i < curve.recall().length; i++) {
                if (Double.isFinite(curve.recall()[i]) && Double.isFinite(curve.precision()[i])) {
                    recall.add(curve.recall()[i]);
                    precision.add(curve.precision()[i]);
                }
            }
            if (Double.isNaN(curve.auprc()) || recall.isEmpty()) {
                missing.add(curve.className());
                continue;
            }
            Color color = colors[drawn++ % colors.length];
            chart.addSeries(String.format(Locale.ROOT, "%s (AUPRC %.3f, no skill %.3f)", curve.className(),
                    curve.auprc(), curve.prevalence()), recall, precision).setLineColor(color);
            XYSeries noSkill = chart.addSeries("no skill: " + curve.className(), new double[]{0, 1},
                    new double[]{curve.prevalence(), curve.prevalence()});
            noSkill.setLineColor(color).setLineStyle(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT,
                    java.awt.BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
            noSkill.setShowInLegend(false);
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no class has a positive example", new double[]{0}, new double[]{0});
        }
        chart.setTitle("Precision-recall per class, dashed: no skill (the class's share)" + (missing.isEmpty() ? ""
                : " (no positives: " + String.join(", ", missing) + ")"));
        return chart;
    }

    /**
     * The confusion matrix as a heat map, actual class down and predicted class across, each row normalised to the
     * fraction of that actual class (so rare classes are as readable as common ones); rows with no example are 0.
     */
    public static void confusionMatrix(Path png, EvaluationResult result) {
        int n = result.numClasses();
        long[][] confusion = result.confusion();
        List<String> predicted = result.classNames();
        List<String> actual = new ArrayList<>(result.classNames());
        // XChart draws y upwards; reversing puts class 0 in the top row as in a printed matrix
        Collections.reverse(actual);
        List<Number[]> cells = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            long total = 0;
            for (long count : confusion[a]) {
                total += count;
            }
            for (int p = 0; p < n; p++) {
                double fraction = total == 0 ? 0 : (double) confusion[a][p] / total;
                cells.add(new Number[]{p, n - 1 - a, fraction});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Confusion matrix (fraction of each actual class)").xAxisTitle("predicted")
                .yAxisTitle("actual").build();
        chart.getStyler().setShowValue(n <= 12).setHeatMapValueDecimalPattern("0.00").setMin(0).setMax(1)
                .setRangeColors(new Color[]{Color.WHITE, new Color(0x9ecae1), new Color(0x08306b)});
        chart.getStyler().setXAxisLabelRotation(n > 6 ? 45 : 0);
        chart.addSeries("fraction", predicted, actual, cells);
        write(chart, png);
    }

    /**
     * Ticks at chosen values for a Y axis that carries {@code log10} of a quantity (e.g. a sweep's temperatures).
     * XChart's own logarithmic axis labels decades only, so T in [1, 20] got one or two labels; here each value gets
     * a faint line across the plot and its label at the plot's left edge, at {@code labelX} (data units), and XChart's
     * tick labels for that axis are hidden. Values closer (in log space) than 1/25 of the shown range to the one below
     * are not labelled, so neighbouring values never overprint.
     *
     * @param values the quantity's values to mark (not their logarithms), positive
     * @return the labels drawn, bottom to top
     */
    public static List<String> logTicksAt(XYChart chart, double[] values, double labelX) {
        double[] sorted = java.util.Arrays.stream(values).filter(v -> v > 0 && Double.isFinite(v)).distinct().sorted()
                .toArray();
        if (sorted.length == 0) {
            return List.of();
        }
        double lo = Math.log10(sorted[0]);
        double hi = Math.log10(sorted[sorted.length - 1]);
        double span = Math.max(hi - lo, 0.1);
        chart.getStyler().setPlotGridHorizontalLinesVisible(false);
        chart.getStyler().setYAxisLogarithmic(false).setYAxisTicksVisible(false)
                .setYAxisMin(lo - 0.06 * span).setYAxisMax(hi + 0.06 * span);
        chart.getStyler().setAnnotationLineColor(new Color(0, 0, 0, 40)).setAnnotationLineStroke(new java.awt.BasicStroke(1f))
                .setAnnotationTextFontColor(Color.DARK_GRAY);
        java.text.DecimalFormat format = new java.text.DecimalFormat("0.##",
                java.text.DecimalFormatSymbols.getInstance(Locale.ROOT));
        List<String> labels = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (double v : sorted) {
            double y = Math.log10(v);
            if (y - last < span / 25) {
                continue;
            }
            last = y;
            String label = format.format(v);
            labels.add(label);
            chart.addAnnotation(new org.knowm.xchart.AnnotationLine(y, false, false));
            chart.addAnnotation(new org.knowm.xchart.AnnotationText(label, labelX, y, false));
        }
        return labels;
    }

    /** Writes any XChart chart as a PNG, atomically. */
    public static void write(Chart<?, ?> chart, Path png) {
        AtomicFiles.write(png, file -> {
            try (OutputStream out = Files.newOutputStream(file)) {
                BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            }
        });
    }
}
