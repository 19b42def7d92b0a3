package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetArchitecture;
import io.distill4j.search.ArchitectureSearch;
import io.distill4j.train.ModelTraining;
import io.distill4j.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;

/**
 * N2N learning of the student's architecture (a layer-removal then a layer-shrinkage policy trained with REINFORCE),
 * as the config's {@code search} section says. Without a teacher file, the run first trains the teacher.
 */
public final class Search {

    private Search() {
    }

    public static ArchitectureSearch.Result run(TeacherRun options) {
        return run(options, ModelTraining.LOCAL);
    }

    /**
     * The search with its candidates and final students trained through {@code training}: on a Spark cluster with
     * {@code io.distill4j.spark.SparkTraining} (the new architectures of a policy update side by side, one task each;
     * the policies, the records and the run folder stay in this JVM, so the same seed samples the same architectures
     * and {@code --resume} works alike).
     */
    public static ArchitectureSearch.Result run(TeacherRun options, ModelTraining training) {
        RunSource source = options.run();
        // a resumed search reloads the teacher file it was started with (its folder recorded it), not a new one
        Path teacherFile = Teachers.file(options.teacher(), source);
        RunConfig given = source.config();
        if (given != null && given.student.resnet != null) {
            throw new IllegalArgumentException("student.resnet: the architecture search removes and shrinks U-Net"
                    + " levels; it has no ResNet moves (give the student as filters)");
        }
        return Runs.withRun(source, Teachers.command("search", teacherFile), run -> {
            ComputationGraph teacher;
            if (teacherFile != null) {
                teacher = ModelFiles.load(teacherFile);
                ArchitectureSearch.teacherArchitecture(teacher, run);
                Teachers.check(teacher, teacherFile, run);
            } else {
                // say now, not after training the teacher, that the constraints cannot be met
                ArchitectureSearch.checkFeasible(run, run.config().teacher.architecture != null
                        ? run.config().teacher.architecture
                        : UNetArchitecture.of(Trainer.spec(run.config(), run.config().teacher, run.data(), false)));
                teacher = Teachers.givenOrTrained(null, null, run);
            }
            return new ArchitectureSearch(run, teacher, training).run(source.resumed());
        });
    }
}
