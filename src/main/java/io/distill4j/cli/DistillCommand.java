package io.distill4j.cli;

import io.distill4j.model.ModelFiles;
import io.distill4j.train.PromotedRole;
import io.distill4j.train.Run;
import io.distill4j.train.TeacherCompatibility;
import io.distill4j.train.RunCommand;
import io.distill4j.train.TrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code distill4j distill}: trains the student from a saved, frozen teacher with the distillation loss. */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Train the student from a saved teacher with the distillation loss (the teacher stays frozen).")
public final class DistillCommand implements Callable<Integer> {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DistillCommand.class);

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", paramLabel = "MODEL_ZIP",
            description = "The trained teacher: a distill4j model zip, or a Keras .h5 model (imported with DL4J's"
                    + " KerasModelImport); required; with --resume, default: the run's own.")
    Path teacherFile;

    boolean installStopHook = true;

    public static TrainCommand.Result run(String... args) {
        DistillCommand command = new DistillCommand();
        command.installStopHook = false;
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public TrainCommand.Result run() {
        if (options.resume != null && teacherFile == null) {
            RunCommand recorded = Commands.recorded(options.resume);
            if (recorded != null && recorded.teacher() != null) {
                teacherFile = Path.of(recorded.teacher());
            }
        }
        if (teacherFile == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "Missing required option: '--teacher=MODEL_ZIP'");
        }
        io.distill4j.model.KerasTeacher keras = io.distill4j.model.KerasTeacher.isHdf5(teacherFile)
                ? io.distill4j.model.KerasTeacher.load(teacherFile) : null;
        ComputationGraph teacher = keras != null ? keras.graph() : ModelFiles.load(teacherFile);
        return Commands.withRun(options, new RunCommand("distill", "student", teacherFile.toString()), installStopHook,
                (config, data) -> {
                    if (keras != null) {
                        keras.checkFits(data.task(), data.channels(), data.height(), data.width(), data.numClasses());
                    } else {
                        TeacherCompatibility.check(teacher, teacherFile, data, config);
                    }
                }, run -> {
            if (keras == null) {
                checkCompatible(teacher, teacherFile, run);
            }
            TrainedModel student = run.config().training.qat
                    ? io.distill4j.compress.QuantizationAwareTraining.train(run, "student", run.config().student, teacher,
                    options.resume != null)
                    : run.distill("student", teacher);
            return TrainCommand.finish(run, student, PromotedRole.STUDENT_DISTILLED);
        });
    }

    /** The teacher must be of the data's task and predict its classes; a student-like teacher is warned of. */
    static void checkCompatible(ComputationGraph teacher, Path teacherFile, Run run) {
        for (String warning : TeacherCompatibility.check(teacher, teacherFile, run.data(), run.config())) {
            log.warn(warning);
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
