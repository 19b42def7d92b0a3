package io.distill4j.tune;

import io.distill4j.util.CsvTables;
import io.distill4j.train.Run;
import io.distill4j.eval.Plots;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The sweep's table ({@code candidates.csv}, {@code candidates.md}) and its picture: each candidate at its
 * (alpha, temperature), coloured from red (worst score) to green (best), failed ones in grey, T on a log axis.
 */
final class SweepReport {

    private SweepReport() {
    }

    /** Writes the table, its CSV and the plot; returns the table (Markdown). */
    static String write(Run run, DistillationSpace space, List<CandidateRecord> candidates, CandidateRecord baseline,
                      CandidateRecord best, String scoreName) {
        List<CandidateRecord> all = new ArrayList<>(candidates);
        if (baseline != null) {
            all.add(baseline);
        }
        run.folder().writeText("candidates.csv",
                CsvTables.toCsv(CandidateRecord.CSV_HEADER, all.stream().map(CandidateRecord::csvRow).toList()));
        String table = "| candidate | alpha | T | learning rate | epochs | validation " + scoreName
                + " | seconds | status |\n|---|---:|---:|---:|---:|---:|---:|---|\n"
                + all.stream().map(CandidateRecord::markdownRow).collect(Collectors.joining("\n")) + "\n";
        run.folder().writeText("candidates.md", "# Sweep " + run.folder().dir().getFileName() + "\n\n"
                + "Searched: " + space.searched() + "; generator " + run.config().tune.generator + ". Best: candidate "
                + best.index() + ".\n\n" + table);
        plot(run, candidates, baseline, scoreName);
        return table;
    }

    private static void plot(Run run, List<CandidateRecord> candidates, CandidateRecord baseline, String scoreName) {
        Plots.write(chart(candidates, baseline, scoreName), run.folder().folder("plots").resolve("sweep.png"));
    }

    /**
     * Each candidate at (alpha, log10 T), labelled on the T axis at the temperatures tried ({@link Plots#logTicksAt}),
     * with the alpha = 1 baseline as a blue diamond.
     */
    static XYChart chart(List<CandidateRecord> candidates, CandidateRecord baseline, String scoreName) {
        XYChart chart = new XYChartBuilder().width(800).height(560)
                .title("validation " + scoreName + " over (alpha, T)")
                .xAxisTitle("alpha (weight of the hard labels)").yAxisTitle("temperature T (log scale)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(14);
        chart.getStyler().setLegendVisible(true);
        double lo = candidates.stream().filter(CandidateRecord::done).mapToDouble(CandidateRecord::score).min().orElse(0);
        double hi = candidates.stream().filter(CandidateRecord::done).mapToDouble(CandidateRecord::score).max().orElse(1);
        List<Double> alphas = new ArrayList<>();
        List<Double> temperatures = new ArrayList<>();
        for (CandidateRecord r : candidates) {
            String label = String.format(Locale.ROOT, "#%d %s", r.index(),
                    r.done() ? String.format(Locale.ROOT, "%.3f", r.score()) : "failed");
            XYSeries series = chart.addSeries(label, new double[]{r.alpha()}, new double[]{Math.log10(r.temperature())});
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(r.done() ? shade(r.score(), lo, hi) : Color.GRAY);
            alphas.add(r.alpha());
            temperatures.add(r.temperature());
        }
        if (baseline != null && baseline.done()) {
            XYSeries series = chart.addSeries(String.format(Locale.ROOT, "alpha = 1: %.3f", baseline.score()),
                    new double[]{1.0}, new double[]{0.0});
            series.setMarker(SeriesMarkers.DIAMOND);
            series.setMarkerColor(Color.BLUE);
            alphas.add(1.0);
            temperatures.add(1.0);
        }
        // room left of the smallest alpha for the temperature labels
        double aLo = alphas.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double aHi = alphas.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double aSpan = Math.max(aHi - aLo, 0.1);
        // (narrow enough that XChart puts no negative alpha tick there)
        chart.getStyler().setXAxisMin(aLo - 0.12 * aSpan).setXAxisMax(aHi + 0.05 * aSpan);
        Plots.logTicksAt(chart, temperatures.stream().mapToDouble(Double::doubleValue).toArray(), aLo - 0.065 * aSpan);
        return chart;
    }

    /** Red (lowest score) through yellow to green (highest). */
    private static Color shade(double score, double lo, double hi) {
        double t = hi > lo ? (score - lo) / (hi - lo) : 1.0;
        return Color.getHSBColor((float) (t / 3.0), 0.85f, 0.85f);
    }
}
