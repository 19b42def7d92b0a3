package io.distill4j.workflows;

import io.distill4j.train.Run;
import io.distill4j.train.TeacherCompatibility;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/** The teacher of a run that distils, checked against the run's data and student. */
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
}
