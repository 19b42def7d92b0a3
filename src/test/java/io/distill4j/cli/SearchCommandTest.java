package io.distill4j.cli;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.search.ArchitectureSearch;
import io.distill4j.search.Candidate;
import io.distill4j.train.TeacherLogits;
import io.distill4j.train.TinyRuns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code distill4j search} end to end on 16x16 land cover: teacher, 2 + 2 iterations of m = 2, 1 epoch each. */
@Tag("e2e")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SearchCommandTest {

    @Test
    void aTinySearchTrainsItsCandidatesAndFinalStudentAndPromotesIt(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, RunConfigs.toYaml(TinyRuns.segmentation(dir)));
        long forwardBefore = TeacherLogits.FORWARD_BATCHES.get();
        ArchitectureSearch.Result r = SearchCommand.run("--config", config.toString(), "--rollouts", "2",
                "--iterations", "2", "--candidate-epochs", "1", "--final-epochs", "1", "--set", "search.policyUnits=4",
                "--set", "teacher.epochs=1");
        assertEquals(8, r.rollouts().size());
        assertTrue(r.candidates().stream().filter(Candidate::done).count() >= 2, r.candidates().toString());
        for (Candidate c : r.candidates()) {
            assertTrue(c.done(), c.toString());
            assertTrue(c.metric() >= 0 && c.metric() <= 1, c.toString());
        }
        // one teacher pass over the training split (24 samples: 19 train, batch 4) served every candidate and both
        // final students
        assertEquals(5, TeacherLogits.FORWARD_BATCHES.get() - forwardBefore, "the teacher's logits computed once");
        assertEquals(List.of("teacher", "hand-designed student", "N2N student"),
                r.table().stream().map(ArchitectureSearch.Row::model).toList());
        assertTrue(r.table().stream().allMatch(row -> row.testMetric() >= 0 && row.testMetric() <= 1), r.table().toString());
        assertNotNull(r.promotedModel());
        assertTrue(Files.isRegularFile(r.promotedModel()));
        assertTrue(Files.isRegularFile(r.runDir().resolve("student.test.json")));
        assertTrue(r.summary().contains("Compression >= 10x"), r.summary());
        RunConfig best = RunConfigs.load(r.bestConfig(), List.of());
        assertEquals(r.best().architecture(), best.student.architecture);
        assertEquals(r.best().parameters(), io.distill4j.model.ModelFiles.load(r.promotedModel()).numParams());
    }
}
