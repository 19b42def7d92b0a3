package io.distill4j.cli;

import io.distill4j.config.RunConfigs;
import io.distill4j.train.Reports;
import io.distill4j.train.TrainedModel;
import io.distill4j.tune.Experiment;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j experiment}: several seeds × several methods, paired against scratch, with confidence intervals. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Compare distillation methods with the student trained from scratch over several seeds "
                + "(equal budget, paired by seed): mean ± sd, paired difference, 95% CI, paired t-test.")
public final class ExperimentCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", paramLabel = "MODEL_ZIP", description = "A trained teacher; default: train one first.")
    Path teacherFile;

    @Option(names = "--seeds", defaultValue = "5", description = "Seeds per method, at least 2 (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--methods", split = ",", defaultValue = "scratch,kd,cwd,at,hint",
            description = "Methods: scratch, kd, l2, cwd, at, hint, dkd, combinations such as kd+cwd, or NAME=[terms]"
                    + " with the terms as YAML (default: ${DEFAULT-VALUE}).")
    List<String> methods = new ArrayList<>();

    boolean installStopHook = true;

    public static Experiment.Result run(String... args) {
        ExperimentCommand command = new ExperimentCommand();
        command.installStopHook = false;
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public Experiment.Result run() {
        if (seeds < 2) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--seeds " + seeds
                    + ": a confidence interval needs at least 2 seeds");
        }
        if (options.resume != null && teacherFile == null) {
            io.distill4j.train.RunCommand recorded = Commands.recorded(options.resume);
            if (recorded != null && recorded.teacher() != null) {
                teacherFile = Path.of(recorded.teacher());
            }
        }
        if (options.name == null && options.resume == null) {
            options.name = "experiment-" + options.load().name;
        }
        return Commands.withRun(options, new io.distill4j.train.RunCommand("experiment", "student",
                teacherFile == null ? null : teacherFile.toString()), installStopHook, run -> {
            List<Experiment.Method> parsed = new ArrayList<>();
            for (String m : methods) {
                int eq = m.indexOf('=');
                parsed.add(eq < 0 ? Experiment.preset(m.trim(), run.config(), run.data().task())
                        : new Experiment.Method(m.substring(0, eq).trim(),
                        RunConfigs.parseTerms(m.substring(eq + 1), "--methods " + m.substring(0, eq).trim())));
            }
            ComputationGraph teacher;
            if (teacherFile != null) {
                teacher = Experiment.loadTeacher(teacherFile);
                DistillCommand.checkCompatible(teacher, teacherFile, run);
            } else {
                TrainedModel trained = run.trainFromScratch("teacher", run.config().teacher);
                Reports.history(run.folder(), trained, run.data().task());
                teacher = trained.graph();
            }
            return new Experiment(run, teacher).run(parsed, seeds);
        });
    }

    @Override
    public Integer call() {
        Experiment.Result r = run();
        System.out.printf("teacher: test %s %.4f%n%n", r.metric(), r.teacherScore());
        System.out.print(r.table());
        System.out.println("run folder: " + r.runDir());
        return 0;
    }
}
