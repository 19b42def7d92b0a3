package io.distill4j.eval;

import io.distill4j.data.Task;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluationTableTest {

    @Test
    void segmentationTableNamesClassesRoundsAndGivesTheSplitsSize() {
        EvaluationResult r = new EvaluationResult(Task.SEGMENTATION, List.of("Water", "Land", "Unlabeled"), 2, 46775,
                0.23264564404062, new double[]{0.5, 0.123456789, Double.NaN}, new double[]{0.25, 1.0, Double.NaN},
                new double[]{0.3333333, 0.2197802, Double.NaN}, new long[][]{{10, 30, 0}, {0, 46735, 0}, {0, 0, 99}},
                new double[]{0.2, 0.1234, Double.NaN}, 0.1617, List.of());
        String table = EvaluationTable.markdown(r, "test", 12);
        assertTrue(table.startsWith("test split: 12 images, 46,775 pixels counted (class Unlabeled ignored)"), table);
        assertTrue(table.contains("| Water | 40 | 0.2000 | 0.5000 | 0.2500 | 0.3333 |"), table);
        assertTrue(table.contains("| Land | 46,735 | 0.1234 | 0.1235 | 1.0000 | 0.2198 |"), table);
        assertTrue(table.contains("mean IoU 0.1617, pixel accuracy 0.2326"), table);
        assertFalse(table.contains("| Unlabeled"), "the ignored class has no row");
        assertFalse(table.contains("EvaluationResult["), table);
    }

    @Test
    void classificationTableHasNoIoUAndMarksUndefinedMetrics() {
        EvaluationResult r = new EvaluationResult(Task.CLASSIFICATION, List.of("cat", "dog"), null, 5, 0.6,
                new double[]{0.6, Double.NaN}, new double[]{1.0, 0.0}, new double[]{0.75, Double.NaN},
                new long[][]{{3, 0}, {2, 0}}, new double[0], Double.NaN, List.of());
        String table = EvaluationTable.markdown(r, "validation", 5);
        assertTrue(table.startsWith("validation split: 5 images\n"), table);
        assertTrue(table.contains("| dog | 2 | – | 0.0000 | – |"), table);
        assertFalse(table.contains("IoU"), table);
    }
}
