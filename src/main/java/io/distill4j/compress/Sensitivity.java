package io.distill4j.compress;

import io.distill4j.eval.Plots;
import io.distill4j.util.CsvTables;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Pruning sensitivity analysis (as IntelLabs Distiller and NNI offered it): per weighted layer, the metric after
 * pruning that layer alone to each level, without fine-tuning, so a user can choose per-layer sparsities
 * ({@code --layer-sparsity}) that spare the layers the model cannot do without. The input graph is not modified.
 */
public final class Sensitivity {

    /** 10%, 20%, ... 90%. */
    public static final List<Double> DEFAULT_LEVELS = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9);

    private Sensitivity() {
    }

    /** One layer pruned alone to {@code level}: the fraction of its weights actually zero, and the metric. */
    public record Row(String layer, String type, long weights, double level, double sparsity, double metric) {
    }

    /** The metric of the unpruned model and one row per layer and level, layers in topological order. */
    public record Result(String metricName, double baseline, List<Double> levels, List<Row> rows) {

        /** Rows of one layer, in level order. */
        public List<Row> rowsOf(String layer) {
            return rows.stream().filter(r -> r.layer().equals(layer)).toList();
        }

        public List<String> layers() {
            return rows.stream().map(Row::layer).distinct().toList();
        }

        /** A layer per row, the metric at each level per column. */
        public String toMarkdown() {
            StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                    "%s of the unpruned model: %.4f. Each row prunes one layer alone (no fine-tuning).%n%n", metricName,
                    baseline));
            md.append("| layer | type | weights |");
            levels.forEach(l -> md.append(String.format(Locale.ROOT, " %.0f%% |", 100 * l)));
            md.append("\n|---|---|---:|").append("---:|".repeat(levels.size())).append('\n');
            for (String layer : layers()) {
                List<Row> own = rowsOf(layer);
                md.append(String.format(Locale.ROOT, "| %s | %s | %,d |", layer, own.get(0).type(), own.get(0).weights()));
                own.forEach(r -> md.append(String.format(Locale.ROOT, " %.4f |", r.metric())));
                md.append('\n');
            }
            return md.toString();
        }

        public String toCsv() {
            List<List<?>> table = new ArrayList<>();
            for (Row r : rows) {
                table.add(List.of(r.layer(), r.type(), r.weights(), r.level(), r.sparsity(), r.metric()));
            }
            return CsvTables.toCsv(List.of("layer", "type", "weights", "level", "sparsity", metricName), table);
        }

        /** The metric over the pruned fraction, one line per layer. */
        public void plot(Path png) {
            Map<String, double[]> series = new LinkedHashMap<>();
            for (String layer : layers()) {
                series.put(layer, rowsOf(layer).stream().mapToDouble(Row::metric).toArray());
            }
            Plots.lineChart(png, "Pruning sensitivity per layer (no fine-tuning)", "fraction of the layer's weights pruned",
                    metricName, series, levels.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /**
     * @param levels fractions in (0, 1), ascending
     * @param metric the score of a network (e.g. validation mean IoU); called once for the unpruned model and once
     *               per layer and level
     */
    public static Result analyse(ComputationGraph graph, List<Double> levels, String metricName,
                                 ToDoubleFunction<ComputationGraph> metric) {
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("sensitivity levels: give at least one, e.g. 0.1,0.5,0.9");
        }
        for (int i = 0; i < levels.size(); i++) {
            double level = levels.get(i);
            if (!(level > 0 && level < 1)) {
                throw new IllegalArgumentException("sensitivity level " + level + " must be in (0, 1)");
            }
            if (i > 0 && level <= levels.get(i - 1)) {
                throw new IllegalArgumentException("sensitivity levels must be ascending, got " + levels);
            }
        }
        ComputationGraph work = graph.clone();
        double baseline = metric.applyAsDouble(work);
        List<Row> rows = new ArrayList<>();
        for (String layer : Layers.weighted(work)) {
            INDArray weights = Layers.weights(work, layer);
            INDArray original = weights.dup();
            String type = Layers.type(Layers.layerConf(work.getConfiguration(), layer));
            for (double level : levels) {
                weights.assign(original);
                LevelPruner.prune(List.of(weights), level);
                rows.add(new Row(layer, type, weights.length(), level, (double) Layers.zeros(weights) / weights.length(),
                        metric.applyAsDouble(work)));
            }
            weights.assign(original);
        }
        work.close();
        return new Result(metricName, baseline, List.copyOf(levels), rows);
    }
}
