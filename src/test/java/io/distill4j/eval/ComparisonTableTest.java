package io.distill4j.eval;

import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonTableTest {

    @TempDir
    Path dir;

    @Test
    void bytesAreShownInBinaryUnits() {
        assertEquals("512 B", ComparisonTable.humanBytes(512));
        assertEquals("1.50 KiB", ComparisonTable.humanBytes(1536));
        assertEquals("7.41 MiB", ComparisonTable.humanBytes(7_770_000));
        assertEquals("2.00 GiB", ComparisonTable.humanBytes(2L << 30));
    }

    @Test
    void markdownTableHasOneRowPerModel() throws IOException {
        ComparisonTable table = new ComparisonTable("mean IoU", List.of(
                new ComparisonTable.Row("teacher", 1_941_190, 7_851_234, 0.61234, 12.345),
                new ComparisonTable.Row("distilled student", 121_750, 520_000, 0.5, 1.5),
                new ComparisonTable.Row("scratch student", 121_750, -1, Double.NaN, Double.NaN)));
        String expected = """
                | model | parameters | model file | mean IoU | ms / image |
                |---|---:|---:|---:|---:|
                | teacher | 1,941,190 | 7.49 MiB (7,851,234 bytes) | 0.6123 | 12.35 |
                | distilled student | 121,750 | 507.81 KiB (520,000 bytes) | 0.5000 | 1.50 |
                | scratch student | 121,750 | – | n/a | n/a |
                """;
        assertEquals(expected, table.toMarkdown());
        Path md = dir.resolve("run/comparison.md");
        table.write(md);
        assertEquals(expected, Files.readString(md));
    }

    @Test
    void rowsAndTimingsComeFromARealGraph() {
        ComputationGraph student = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 3, 16, 16));
        Path zip = dir.resolve("student.zip");
        ModelFiles.save(student, zip, null);
        InferenceTimer.Timing timing = InferenceTimer.measure(student, Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16), 1, 5);
        assertEquals(2, timing.batchSize());
        assertEquals(5, timing.batchMillis().length);
        assertTrue(timing.msPerImage() > 0 && Double.isFinite(timing.msPerImage()));
        assertEquals(timing.medianMillis() / 2, timing.msPerImage(), 1e-12);

        ComparisonTable.Row row = ComparisonTable.row("student", student, zip, 0.5, timing.msPerImage());
        assertEquals(student.numParams(), row.parameters());
        assertTrue(row.fileBytes() > 0);
        assertEquals(-1, ComparisonTable.row("student", student, dir.resolve("absent.zip"), 0.5, 1).fileBytes());
        assertThrows(IllegalArgumentException.class,
                () -> InferenceTimer.measure(student, Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16), 0, 3));
    }
}
