package io.distill4j.search;

import io.distill4j.config.RunConfig;
import io.distill4j.eval.Plots;
import io.distill4j.train.Run;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A search's tables and pictures: {@code candidates.csv} (one row per distinct architecture), {@code rollouts.csv}
 * (one row per sampled rollout), {@code plots/reward.png} (mean and best reward per policy iteration, both stages)
 * and {@code plots/pareto.png} (validation metric over parameters, the Pareto front, the teacher, the hand-designed
 * student and the best candidate marked), and the summary with the final comparison table.
 */
final class SearchReport {

    private SearchReport() {
    }

    static void write(Run run, List<Candidate> candidates, List<Rollout> rollouts, Candidate best, Candidate reference,
                      List<ArchitectureSearch.Row> table, long teacherParams, double teacherMetric, String metricName,
                      RunConfig.SearchConfig settings) {
        run.folder().writeText("candidates.csv", Candidate.CSV_HEADER + "\n"
                + candidates.stream().map(Candidate::csvRow).collect(Collectors.joining("\n")) + "\n");
        run.folder().writeText("rollouts.csv", Rollout.CSV_HEADER + "\n"
                + rollouts.stream().map(Rollout::csvRow).collect(Collectors.joining("\n")) + "\n");
        rewardPlot(run, rollouts, settings);
        paretoPlot(run, candidates, best, reference, teacherParams, teacherMetric, metricName);
    }

    /** Mean and best reward of each iteration; the shrinkage stage's iterations follow the removal stage's. */
    private static void rewardPlot(Run run, List<Rollout> rollouts, RunConfig.SearchConfig settings) {
        int removal = settings.removalIterations;
        int n = removal + settings.shrinkageIterations;
        double[] x = new double[n];
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String s : List.of("removal: mean", "removal: best", "shrinkage: mean", "shrinkage: best")) {
            double[] y = new double[n];
            java.util.Arrays.fill(y, Double.NaN);
            series.put(s, y);
        }
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
            ArchitectureSearch.Stage stage = i < removal ? ArchitectureSearch.Stage.REMOVAL
                    : ArchitectureSearch.Stage.SHRINKAGE;
            int iteration = i < removal ? i : i - removal;
            double[] rewards = rollouts.stream().filter(r -> r.stage() == stage && r.iteration() == iteration)
                    .mapToDouble(Rollout::reward).toArray();
            if (rewards.length == 0) {
                continue;
            }
            String prefix = stage == ArchitectureSearch.Stage.REMOVAL ? "removal" : "shrinkage";
            series.get(prefix + ": mean")[i] = java.util.Arrays.stream(rewards).average().orElse(Double.NaN);
            series.get(prefix + ": best")[i] = java.util.Arrays.stream(rewards).max().orElse(Double.NaN);
        }
        Plots.lineChart(run.folder().folder("plots").resolve("reward.png"), "Reward per policy iteration ("
                + settings.strategy.name().toLowerCase(Locale.ROOT) + ", " + settings.rollouts + " rollouts each)",
                "iteration (removal, then shrinkage)", "reward", series, x);
    }

    /** The finished candidates that no other beats on both fewer parameters and a higher metric, by parameters. */
    static List<Candidate> paretoFront(List<Candidate> candidates) {
        List<Candidate> sorted = candidates.stream().filter(Candidate::done)
                .sorted(Comparator.comparingLong(Candidate::parameters)
                        .thenComparing(Comparator.comparingDouble(Candidate::metric).reversed()))
                .toList();
        List<Candidate> front = new ArrayList<>();
        double bestMetric = Double.NEGATIVE_INFINITY;
        for (Candidate c : sorted) {
            if (c.metric() > bestMetric) {
                front.add(c);
                bestMetric = c.metric();
            }
        }
        return front;
    }

    private static void paretoPlot(Run run, List<Candidate> candidates, Candidate best, Candidate reference,
                                   long teacherParams, double teacherMetric, String metricName) {
        XYChart chart = new XYChartBuilder().width(Plots.WIDTH).height(Plots.HEIGHT)
                .title("Validation " + metricName + " over parameters (candidates after their short distillation)")
                .xAxisTitle("parameters (log scale)").yAxisTitle("validation " + metricName).build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(9);
        List<Candidate> done = candidates.stream().filter(Candidate::done).toList();
        if (!done.isEmpty()) {
            XYSeries all = chart.addSeries("candidates", done.stream().map(c -> (double) c.parameters()).toList(),
                    done.stream().map(Candidate::metric).toList());
            all.setMarker(SeriesMarkers.CIRCLE);
            all.setMarkerColor(new Color(120, 120, 120, 160));
            List<Candidate> front = paretoFront(candidates);
            XYSeries line = chart.addSeries("Pareto front", front.stream().map(c -> (double) c.parameters()).toList(),
                    front.stream().map(Candidate::metric).toList());
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(new Color(230, 120, 0));
        }
        marker(chart, "teacher", teacherParams, teacherMetric, SeriesMarkers.DIAMOND, Color.RED);
        if (reference.done()) {
            marker(chart, "hand-designed student", reference.parameters(), reference.metric(), SeriesMarkers.SQUARE,
                    Color.BLUE);
        }
        marker(chart, String.format(Locale.ROOT, "best (candidate %d)", best.id()), best.parameters(), best.metric(),
                SeriesMarkers.TRIANGLE_UP, new Color(0, 150, 0));
        Plots.write(chart, run.folder().folder("plots").resolve("pareto.png"));
    }

    private static void marker(XYChart chart, String name, long params, double metric,
                               org.knowm.xchart.style.markers.Marker marker, Color color) {
        XYSeries s = chart.addSeries(name, new double[]{params}, new double[]{metric});
        s.setMarker(marker);
        s.setMarkerColor(color);
    }

    static String summary(Run run, List<Candidate> candidates, Candidate best, Candidate reference,
                          List<ArchitectureSearch.Row> table, long teacherParams, String metricName,
                          RunConfig.SearchConfig settings, int finalEpochs) {
        long trained = candidates.stream().filter(Candidate::done).count();
        long violated = candidates.stream().filter(c -> c.status() == Candidate.Status.VIOLATED).count();
        long failed = candidates.stream().filter(c -> c.status() == Candidate.Status.FAILED).count();
        double seconds = candidates.stream().mapToDouble(Candidate::seconds).sum();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "# N2N search %s%n%nStrategy %s: %d removal + %d shrinkage iterations of %d"
                        + " rollouts; %d distinct architectures (%d trained for %d epochs, %d broke a constraint, %d"
                        + " failed), %.0f s of candidate evaluation.%n%n", run.folder().dir().getFileName(),
                settings.strategy.name().toLowerCase(Locale.ROOT), settings.removalIterations,
                settings.shrinkageIterations, settings.rollouts, candidates.size(), trained,
                settings.candidateEpochs, violated, failed, seconds));
        s.append(String.format(Locale.ROOT, "Best: candidate %d, `%s`: %,d parameters (%.1fx fewer than the teacher's"
                        + " %,d), validation %s %.4f after %d epochs, reward %.4f. Hand-designed student on the same"
                        + " budget: %,d parameters, validation %s %s, reward %.4f.%n%n", best.id(),
                best.architecture().describe(), best.parameters(), best.compressionRatio(), teacherParams, metricName,
                best.metric(), settings.candidateEpochs, best.reward(), reference.parameters(), metricName,
                reference.done() ? String.format(Locale.ROOT, "%.4f", reference.metric()) : "-", reference.reward()));
        s.append(finalEpochs > 0 ? String.format(Locale.ROOT, "Final distillation of both students: %d epochs.%n%n",
                finalEpochs) : "No final distillation (finalEpochs 0): the metrics are the candidates' own.\n\n");
        s.append("| model | architecture | parameters | model file bytes | ms / image | validation ").append(metricName)
                .append(" | test ").append(metricName).append(" |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (ArchitectureSearch.Row r : table) {
            s.append(String.format(Locale.ROOT, "| %s | `%s` | %,d | %,d | %.2f | %s | %s |%n", r.model(),
                    r.architecture(), r.parameters(), r.fileBytes(), r.msPerImage(), metric(r.validationMetric()),
                    metric(r.testMetric())));
        }
        if (table.size() == 3) {
            ArchitectureSearch.Row hand = table.get(1);
            ArchitectureSearch.Row n2n = table.get(2);
            boolean tenfold = n2n.parameters() * 10 <= teacherParams;
            double n2nMetric = Double.isNaN(n2n.testMetric()) ? n2n.validationMetric() : n2n.testMetric();
            double handMetric = Double.isNaN(hand.testMetric()) ? hand.validationMetric() : hand.testMetric();
            if (Double.isNaN(handMetric)) {
                // a hand-designed student that breaks the user's constraints is not trained: nothing to compare
                s.append(String.format(Locale.ROOT, "%nCompression >= 10x: %s (%.1fx). The hand-designed student has"
                                + " no metric to compare with: %s.%n", tenfold ? "yes" : "no",
                        (double) teacherParams / n2n.parameters(), reference.status() == Candidate.Status.VIOLATED
                                ? "it breaks the constraints (" + reference.error() + ")" : "it was not trained"));
            } else {
                s.append(String.format(Locale.ROOT, "%nCompression >= 10x: %s (%.1fx). %s metric of the N2N student %s"
                                + " the hand-designed student's: %.4f vs %.4f (%+.4f).%n", tenfold ? "yes" : "no",
                        (double) teacherParams / n2n.parameters(), Double.isNaN(n2n.testMetric()) ? "Validation" : "Test",
                        n2nMetric >= handMetric ? ">=" : "<", n2nMetric, handMetric, n2nMetric - handMetric));
            }
        }
        return s.toString();
    }

    /** A metric as the tables show it: four decimals, or "-" where there is none (not trained, not tested). */
    private static String metric(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
