package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.config.SweepGenerator;
import io.distill4j.train.TinyRuns;
import io.distill4j.tune.Sweep;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command that trains writes report.md: its tables, and links (relative) to files that exist. */
@Tag("e2e")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunReportsTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)]+)\\)");

    /** The report's text, after checking that every link in it names a file of the run folder. */
    static String checkedReport(Path runDir) throws IOException {
        Path report = runDir.resolve("report.md");
        assertTrue(Files.isRegularFile(report), "no " + report);
        String text = Files.readString(report);
        List<String> links = new ArrayList<>();
        Matcher m = LINK.matcher(text);
        while (m.find()) {
            links.add(m.group(1));
        }
        assertTrue(links.stream().anyMatch(l -> l.startsWith("plots/") && l.endsWith(".png")), text);
        for (String link : links) {
            assertFalse(Path.of(link).isAbsolute(), "relative links only: " + link);
            assertTrue(Files.isRegularFile(runDir.resolve(link)), "the report links a missing file " + link);
        }
        assertTrue(text.contains("| class |") && text.contains("### Per epoch") && text.contains("| epoch |"), text);
        return text;
    }

    @Test
    void trainDistillAndTuneEachWriteAReportWithTheirTablesAndPlots(@TempDir Path dir) throws IOException {
        RunConfig config = TinyRuns.segmentation(dir);
        config.training.epochs = 1;
        Training.Result teacher = Training.run(Training.Options.of(config, Training.Network.TEACHER));
        String trained = checkedReport(teacher.runDir());
        assertTrue(trained.contains("train --model teacher") && trained.contains("plots/teacher-loss.png")
                && trained.contains("predictions/teacher-best.png"), trained);
        assertNotNull(teacher.promoted());

        RunConfig distill = TinyRuns.segmentation(dir);
        distill.training.epochs = 1;
        Training.Result student = Distillation.run(TeacherRun.of(distill, teacher.promoted()));
        String distilled = checkedReport(student.runDir());
        assertTrue(distilled.contains("# distill4j distill") && distilled.contains("plots/student-score.png"),
                distilled);

        RunConfig tune = TinyRuns.segmentation(dir);
        tune.training.epochs = 1;
        tune.tune.generator = SweepGenerator.GRID;
        tune.tune.gridPoints = 2;
        tune.tune.maxCandidates = 3;
        tune.tune.baseline = false;
        Sweep.Result sweep = Tuning.run(TeacherRun.of(tune, teacher.promoted()));
        String tuned = checkedReport(sweep.runDir());
        assertTrue(tuned.contains("plots/sweep.png") && tuned.contains("| candidate |")
                && tuned.contains("best-config.yaml"), tuned);
        assertEquals(4, sweep.grid().points());
        assertTrue(tuned.contains("Grid: 4 points") && tuned.contains("cut it short"), tuned);
    }
}
