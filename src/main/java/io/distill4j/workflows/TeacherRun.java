package io.distill4j.workflows;

import io.distill4j.config.RunConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link Distillation}, {@link Tuning} and {@link Search} take: the run, and the saved teacher its students
 * learn from.
 *
 * @param run     a new run of a config, or one to resume
 * @param teacher a trained teacher model file (only read); null = the teacher a resumed run recorded, or (tuning and
 *                search) one trained first in the run
 */
public record TeacherRun(RunSource run, Path teacher) {

    public TeacherRun {
        Objects.requireNonNull(run, "run");
    }

    /** A new run of {@code config} with the teacher in {@code teacher} (null: train one first, where allowed). */
    public static TeacherRun of(RunConfig config, Path teacher) {
        return new TeacherRun(RunSource.of(config), teacher);
    }
}
