package io.distill4j.cli;

import io.distill4j.config.RunConfig;
import io.distill4j.search.ArchitectureSearch;
import io.distill4j.train.StopSignal;
import io.distill4j.workflows.Search;
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
 * {@code distill4j search}: the N2N {@link Search} for the student's architecture (a layer-removal then a
 * layer-shrinkage policy trained with REINFORCE), as the config's {@code search:} section says. Without
 * {@code --teacher}, the run first trains the teacher.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Learn the student's architecture from the teacher's with policy-gradient reinforcement learning"
                + " (N2N: layer removal, then layer shrinkage).")
public final class SearchCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    @Option(names = "--teacher", paramLabel = "MODEL_ZIP", description = "A trained teacher; default: train one first.")
    Path teacherFile;

    @Option(names = {"-m", "--rollouts"}, description = "Rollouts per policy update (search.rollouts, default 5).")
    Integer rollouts;

    @Option(names = "--iterations", description = "Policy updates of each stage (search.removalIterations and"
            + " search.shrinkageIterations, default 10 each).")
    Integer iterations;

    @Option(names = "--candidate-epochs", description = "Distillation epochs per candidate (default 5).")
    Integer candidateEpochs;

    @Option(names = "--final-epochs", description = "Epochs of the final distillation of the best architecture and of"
            + " the hand-designed student (default: the student's epochs; 0 = none).")
    Integer finalEpochs;

    @Option(names = "--max-params", description = "Constraint: candidates with more parameters get reward -1.")
    Long maxParams;

    @Option(names = "--max-ms-per-image", description = "Constraint: inference ms per image (InferenceTimer).")
    Double maxMsPerImage;

    @Option(names = "--max-file-bytes", description = "Constraint: size of the saved model file in bytes.")
    Long maxFileBytes;

    @Option(names = "--widths", split = ",", description = "Width fractions of the shrinkage stage (default 0.1,...,1.0).")
    List<Double> widths;

    @Option(names = "--strategy", description = "${COMPLETION-CANDIDATES}: the policies, or uniform actions for comparison.")
    RunConfig.SearchConfig.Strategy strategy;

    @Option(names = "--policy", paramLabel = "FILE", description = "Start from the policies.zip of an earlier search"
            + " (e.g. on another teacher).")
    Path policy;

    @Mixin
    SparkTaskOptions sparkTasks = new SparkTaskOptions();

    ArchitectureSearch.Result run(StopSignal stop) {
        List<Setting> settings = new ArrayList<>();
        settings.addAll(Setting.of("--rollouts", rollouts, c -> c.search.rollouts = rollouts));
        settings.addAll(Setting.of("--iterations", iterations, c -> {
            c.search.removalIterations = iterations;
            c.search.shrinkageIterations = iterations;
        }));
        settings.addAll(Setting.of("--candidate-epochs", candidateEpochs, c -> c.search.candidateEpochs = candidateEpochs));
        settings.addAll(Setting.of("--final-epochs", finalEpochs, c -> c.search.finalEpochs = finalEpochs));
        settings.addAll(Setting.of("--max-params", maxParams, c -> c.search.maxParams = maxParams));
        settings.addAll(Setting.of("--max-ms-per-image", maxMsPerImage, c -> c.search.maxMsPerImage = maxMsPerImage));
        settings.addAll(Setting.of("--max-file-bytes", maxFileBytes, c -> c.search.maxFileBytes = maxFileBytes));
        settings.addAll(Setting.of("--widths", widths, c -> c.search.widths = List.copyOf(widths)));
        settings.addAll(Setting.of("--strategy", strategy, c -> c.search.strategy = strategy));
        settings.addAll(Setting.of("--policy", policy, c -> c.search.policy = policy.toString()));
        settings.addAll(options.defaultName("search-"));
        TeacherRun run = new TeacherRun(options.source(settings, stop), teacherFile);
        return sparkTasks.run(training -> Search.run(run, training));
    }

    @Override
    public Integer call() {
        ArchitectureSearch.Result r = run(Commands.stopOnCtrlC());
        System.out.println();
        System.out.print(r.summary());
        System.out.println("candidates: " + r.runDir().resolve("candidates.csv"));
        System.out.println("best architecture: " + r.bestConfig());
        if (r.promotedModel() != null) {
            System.out.println("best student: " + r.promotedModel());
        }
        return 0;
    }
}
