package io.distill4j.compress;

import io.distill4j.data.Task;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SensitivityTest {

    private static ComputationGraph net() {
        return UNetFactory.build(UNetSpec.of(List.of(2, 4), Task.SEGMENTATION, 3, 6, 16, 16));
    }

    @Test
    void aLayerOfEqualMagnitudesLosesExactlyTheRequestedShareSoItsRowIsMonotone(@TempDir Path dir) {
        ComputationGraph graph = net();
        String layer = "enc1_conv1";
        // equal magnitudes, mixed signs: a magnitude threshold alone would prune all of them at any level
        INDArray w = Layers.weights(graph, layer);
        w.assign(Nd4j.rand(w.dataType(), w.shape()).gt(0.5).castTo(w.dataType()).muli(2).subi(1).muli(0.5));
        INDArray before = graph.params().dup();
        Sensitivity.Result result = Sensitivity.analyse(graph, List.of(0.1, 0.5, 0.9), "sum |w|",
                g -> Layers.weights(g, layer).norm1Number().doubleValue());
        assertEquals(before, graph.params(), "the input graph is not modified");
        List<Sensitivity.Row> rows = result.rowsOf(layer);
        assertEquals(3, rows.size());
        long n = w.length();
        for (Sensitivity.Row row : rows) {
            long pruned = (long) Math.floor(row.level() * n);
            assertEquals((double) pruned / n, row.sparsity(), 1e-12, "exactly floor(level·n) pruned at " + row.level());
            assertEquals(0.5 * (n - pruned), row.metric(), 1e-4, "the metric counts the survivors");
        }
        assertTrue(rows.get(0).metric() > rows.get(1).metric() && rows.get(1).metric() > rows.get(2).metric());
        assertEquals(Layers.weighted(graph), result.layers(), "one row group per weighted layer");
        assertEquals(0.5 * n, result.baseline(), 1e-4);
        // every other layer's rows leave this layer whole: each row prunes one layer alone
        result.rows().stream().filter(r -> !r.layer().equals(layer))
                .forEach(r -> assertEquals(0.5 * n, r.metric(), 1e-4, r.toString()));

        result.plot(dir.resolve("s.png"));
        assertTrue(Files.isRegularFile(dir.resolve("s.png")));
        assertTrue(result.toMarkdown().contains("| " + layer + " | conv |"), result.toMarkdown());
        assertEquals(1 + 3 * Layers.weighted(graph).size(), result.toCsv().strip().split("\n").length);
    }

    @Test
    void levelPruningCountsTiesExactlyAlsoWithOneGlobalThreshold() {
        ComputationGraph graph = net();
        for (String layer : Layers.weighted(graph)) {
            Layers.weights(graph, layer).assign(0.25);
        }
        new LevelPruner(0.6, Map.of(), true).prune(graph, 1.0);
        LevelPruner.Report report = LevelPruner.report(graph);
        assertEquals(Math.floor(0.6 * report.weights()), report.zeros(), 0.0);
    }

    @Test
    void badLevelsNameTheValue() {
        ComputationGraph graph = net();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sensitivity.analyse(graph, List.of(0.5, 1.0), "m", g -> 0));
        assertTrue(e.getMessage().contains("1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sensitivity.analyse(graph, List.of(0.5, 0.2), "m", g -> 0));
        assertTrue(e.getMessage().contains("ascending"), e.getMessage());
    }
}
