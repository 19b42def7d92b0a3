package io.distill4j.cli;

import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.train.Run;
import io.distill4j.train.TrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code distill4j distill}: trains the student from a saved, frozen teacher with the distillation loss. */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Train the student from a saved teacher with the distillation loss (the teacher stays frozen).")
public final class DistillCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", required = true, paramLabel = "MODEL_ZIP", description = "The trained teacher: a distill4j model zip, or a Keras .h5 model (imported with DL4J's KerasModelImport).")
    Path teacherFile;

    boolean installStopHook = true;

    public static TrainCommand.Result run(String... args) {
        DistillCommand command = new DistillCommand();
        command.installStopHook = false;
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public TrainCommand.Result run() {
        io.distill4j.model.KerasTeacher keras = io.distill4j.model.KerasTeacher.isHdf5(teacherFile)
                ? io.distill4j.model.KerasTeacher.load(teacherFile) : null;
        ComputationGraph teacher = keras != null ? keras.graph() : ModelFiles.load(teacherFile);
        return Commands.withRun(options, "distill --teacher " + teacherFile, installStopHook, run -> {
            if (keras != null) {
                keras.checkFits(run.data().task(), run.data().channels(), run.data().height(), run.data().width(),
                        run.data().numClasses());
            } else {
                checkCompatible(teacher, run);
            }
            TrainedModel student = run.config().training.qat
                    ? io.distill4j.compress.QuantizationAwareTraining.train(run, "student", run.config().student, teacher,
                    options.resume != null)
                    : run.distill("student", teacher);
            return TrainCommand.finish(run, student, "student");
        });
    }

    /** The teacher must see the same input and predict the same classes as the student will. */
    static void checkCompatible(ComputationGraph teacher, Run run) {
        if (teacher.getVertex(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException("the teacher has no \"" + UNetFactory.LOGITS
                    + "\" vertex: it was not built by distill4j (for other teachers, pass log-probabilities)");
        }
        long[] logits = teacher.getLayer(UNetFactory.LOGITS).getParam("W").shape();
        long classes = run.data().task() == io.distill4j.data.Task.SEGMENTATION ? logits[0] : logits[1];
        if (classes != run.data().numClasses()) {
            throw new IllegalArgumentException("the teacher predicts " + classes + " classes (weights "
                    + Arrays.toString(logits) + "), the dataset has " + run.data().numClasses());
        }
    }

    @Override
    public Integer call() {
        TrainCommand.Result r = run();
        System.out.printf("distilled student: best epoch %d of %d, test %s %.4f%n", r.model().best().epoch(),
                r.model().history().size(), r.test().mainMetricName(), r.test().mainScore());
        System.out.println("run folder: " + r.runDir());
        if (r.promoted() != null) {
            System.out.println("model: " + r.promoted());
        }
        return 0;
    }
}
