package io.distill4j.cli;

import io.distill4j.config.RunConfigs;
import io.distill4j.train.StopSignal;
import io.distill4j.tune.Experiment;
import io.distill4j.workflows.Experiments;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code distill4j experiment}: {@link Experiments}: several seeds × several methods, paired against scratch. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Compare distillation methods with the student trained from scratch over several seeds "
                + "(equal budget, paired by seed): mean ± sd, paired difference, 95%% CI, paired t-test.")
public final class ExperimentCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--teacher", paramLabel = "MODEL_ZIP", description = "A trained teacher; default: train one first.")
    Path teacherFile;

    @Option(names = "--seeds", defaultValue = "5", description = "Seeds per method, at least 2 (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--methods", split = ",", defaultValue = "scratch,kd,cwd,at,hint",
            description = "Methods: scratch, kd, l2, cwd, at, hint, dkd, combinations such as kd+cwd, or NAME=[terms]"
                    + " with the terms as YAML (default: ${DEFAULT-VALUE}).")
    List<String> methods = new ArrayList<>();

    @Mixin
    SparkTaskOptions sparkTasks = new SparkTaskOptions();

    Experiment.Result run(StopSignal stop) {
        if (seeds < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds " + seeds
                    + ": a confidence interval needs at least 2 seeds");
        }
        List<Experiments.MethodChoice> choices = new ArrayList<>();
        for (String m : methods) {
            int eq = m.indexOf('=');
            String name = (eq < 0 ? m : m.substring(0, eq)).trim();
            choices.add(eq < 0 ? Experiments.MethodChoice.preset(name) : Experiments.MethodChoice.of(name,
                    RunConfigs.parseTerms(m.substring(eq + 1), "--methods " + name)));
        }
        Experiments.Options experiment = new Experiments.Options(
                options.source(options.defaultName("experiment-"), stop), teacherFile, choices, seeds);
        return sparkTasks.run(training -> Experiments.run(experiment, training));
    }

    @Override
    public Integer call() {
        Experiment.Result r = run(Commands.stopOnCtrlC());
        System.out.printf("teacher: test %s %.4f%n%n", r.metric(), r.teacherScore());
        System.out.print(r.table());
        System.out.println("run folder: " + r.runDir());
        return 0;
    }
}
