package io.distill4j.workflows;

import io.distill4j.compress.QuantizationAwareTraining;
import io.distill4j.model.KerasTeacher;
import io.distill4j.train.PromotedRole;
import io.distill4j.train.TeacherCompatibility;
import io.distill4j.train.TrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;

/**
 * Trains the config's student from a saved, frozen teacher (a distill4j model zip, or a Keras .h5 model) with the
 * config's distillation terms, then reports and
 * promotes it as {@link Training} does. (To distil from a teacher graph built in code, on any iterator, without a run
 * folder, use {@link io.distill4j.train.Distiller}.)
 */
public final class Distillation {

    private Distillation() {
    }

    public static Training.Result run(TeacherRun options) {
        return run(options, null);
    }

    /** The distillation with its epochs fitted by {@code fitter} (a Spark cluster, as {@link Training#run}); null = here. */
    public static Training.Result run(TeacherRun options, io.distill4j.train.EpochFitter fitter) {
        RunSource source = options.run();
        Path teacherFile = Teachers.file(options.teacher(), source);
        if (teacherFile == null) {
            throw new IllegalArgumentException("no teacher: pass the teacher model (--teacher MODEL_ZIP)");
        }
        // a Keras .h5 teacher is imported with DL4J's KerasModelImport and checked by its own input and output shapes
        KerasTeacher keras = KerasTeacher.isHdf5(teacherFile) ? KerasTeacher.load(teacherFile) : null;
        ComputationGraph teacher = keras != null ? keras.graph() : Teachers.load(teacherFile);
        return Runs.withRun(source, Teachers.command("distill", teacherFile), (config, data) -> {
                    if (keras != null) {
                        keras.checkFits(data.task(), data.channels(), data.height(), data.width(), data.numClasses());
                    } else {
                        TeacherCompatibility.check(teacher, teacherFile, data, config);
                    }
                }, run -> {
                    if (keras == null) {
                        Teachers.check(teacher, teacherFile, run);
                    }
                    run.trainer().fitWith(fitter);
                    TrainedModel student = run.config().training.qat
                            ? QuantizationAwareTraining.train(run, "student", run.config().student, teacher,
                            source.resumed())
                            : run.distill("student", teacher);
                    return Training.finish(run, student, PromotedRole.STUDENT_DISTILLED);
                });
    }
}
