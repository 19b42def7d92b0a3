package io.distill4j.workflows;

import io.distill4j.model.ModelFiles;
import io.distill4j.train.Reports;
import io.distill4j.train.Run;
import io.distill4j.train.RunCommand;
import io.distill4j.train.TeacherCompatibility;
import io.distill4j.train.TrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/** The teacher of a run that distils: a saved one checked against the run's data and student, or one trained first. */
final class Teachers {

    private static final Logger log = LoggerFactory.getLogger(Teachers.class);

    private Teachers() {
    }

    /** The teacher must be of the data's task and predict its classes; a student-like teacher is warned of. */
    static void check(ComputationGraph teacher, Path teacherFile, Run run) {
        for (String warning : TeacherCompatibility.check(teacher, teacherFile, run.data(), run.config())) {
            log.warn(warning);
        }
    }

    /** {@code given}, or for a resumed run without one, the teacher file its folder recorded (or null). */
    static Path file(Path given, RunSource source) {
        if (given != null || !source.resumed()) {
            return given;
        }
        RunCommand recorded = Runs.recorded(source.resume());
        return recorded != null && recorded.teacher() != null ? Path.of(recorded.teacher()) : null;
    }

    static ComputationGraph load(Path teacherFile) {
        return teacherFile == null ? null : ModelFiles.load(teacherFile);
    }

    /** The given teacher (checked against the run), or, with none given, one trained in the run (history written). */
    static ComputationGraph givenOrTrained(ComputationGraph given, Path teacherFile, Run run) {
        if (given != null) {
            check(given, teacherFile, run);
            return given;
        }
        TrainedModel trained = run.trainFromScratch("teacher", run.config().teacher);
        Reports.history(run.folder(), trained, run.data().task());
        return trained.graph();
    }

    /** The command a run records: what it trains and from which teacher file. */
    static RunCommand command(String command, Path teacherFile) {
        return new RunCommand(command, "student", teacherFile == null ? null : teacherFile.toString());
    }
}
