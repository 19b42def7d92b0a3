package io.distill4j.cli;

import io.distill4j.config.SweepGenerator;
import io.distill4j.train.StopSignal;
import io.distill4j.tune.Sweep;
import io.distill4j.workflows.Tuning;
import io.distill4j.workflows.TeacherRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static io.distill4j.cli.RunOptions.Setting;

/**
 * {@code distill4j tune}: {@link Tuning}: searches alpha and temperature (and optionally learning rate and epochs)
 * with Arbiter, as the config's {@code tune:} section says. Without {@code --teacher}, the run first trains the teacher.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Search the distillation hyperparameters (alpha, temperature, ...) with Arbiter.")
public final class TuneCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", paramLabel = "MODEL_ZIP", description = "A trained teacher; default: train one first.")
    Path teacherFile;

    @Option(names = "--candidates", description = "tune.maxCandidates: candidates to train.")
    Integer candidates;

    @Option(names = "--generator", description = "tune.generator: ${COMPLETION-CANDIDATES}.")
    SweepGenerator generator;

    @Mixin
    SparkTaskOptions sparkTasks = new SparkTaskOptions();

    Sweep.Result run(StopSignal stop) {
        List<Setting> settings = new ArrayList<>(Setting.of("--candidates", candidates,
                c -> c.tune.maxCandidates = candidates));
        settings.addAll(Setting.of("--generator", generator, c -> c.tune.generator = generator));
        settings.addAll(options.defaultName("tune-"));
        TeacherRun run = new TeacherRun(options.source(settings, stop), teacherFile);
        return sparkTasks.run(training -> Tuning.run(run, training));
    }

    @Override
    public Integer call() {
        Sweep.Result r = run(Commands.stopOnCtrlC());
        System.out.println();
        System.out.print(r.summary());
        System.out.println("table: " + r.runDir().resolve("candidates.md"));
        System.out.println("report: " + r.runDir().resolve("report.md"));
        System.out.println("best config: " + r.bestConfig());
        if (r.promotedModel() != null) {
            System.out.println("best student: " + r.promotedModel());
        }
        return 0;
    }
}
