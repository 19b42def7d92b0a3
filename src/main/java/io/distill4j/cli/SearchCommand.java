package io.distill4j.cli;

import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetArchitecture;
import io.distill4j.search.ArchitectureSearch;
import io.distill4j.train.Reports;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code distill4j search}: N2N learning of the student's architecture (a layer-removal then a layer-shrinkage
 * policy trained with REINFORCE), as the config's {@code search:} section says. Without {@code --teacher}, the run
 * first trains the teacher.
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

    @Option(names = "--strategy", description = "reinforce (the policies) or random (uniform actions, for comparison).")
    String strategy;

    @Option(names = "--policy", paramLabel = "FILE", description = "Start from the policies.zip of an earlier search"
            + " (e.g. on another teacher).")
    Path policy;

    boolean installStopHook = true;

    public static ArchitectureSearch.Result run(String... args) {
        SearchCommand command = new SearchCommand();
        command.installStopHook = false;
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public ArchitectureSearch.Result run() {
        if (rollouts != null) {
            options.set.add("search.rollouts=" + rollouts);
        }
        if (iterations != null) {
            options.set.add("search.removalIterations=" + iterations);
            options.set.add("search.shrinkageIterations=" + iterations);
        }
        if (candidateEpochs != null) {
            options.set.add("search.candidateEpochs=" + candidateEpochs);
        }
        if (finalEpochs != null) {
            options.set.add("search.finalEpochs=" + finalEpochs);
        }
        if (maxParams != null) {
            options.set.add("search.maxParams=" + maxParams);
        }
        if (maxMsPerImage != null) {
            options.set.add("search.maxMsPerImage=" + maxMsPerImage);
        }
        if (maxFileBytes != null) {
            options.set.add("search.maxFileBytes=" + maxFileBytes);
        }
        if (widths != null) {
            options.set.add("search.widths=[" + widths.stream().map(String::valueOf).collect(Collectors.joining(","))
                    + "]");
        }
        if (strategy != null) {
            options.set.add("search.strategy=" + strategy);
        }
        if (policy != null) {
            options.set.add("search.policy=\"" + policy + "\"");
        }
        if (options.name == null && options.resume == null) {
            options.name = "search-" + options.load().name;
        }
        return Commands.withRun(options, new io.distill4j.train.RunCommand("search", "student",
                teacherFile == null ? null : teacherFile.toString()), installStopHook, run -> {
            ComputationGraph teacher;
            if (teacherFile != null) {
                teacher = ModelFiles.load(teacherFile);
                ArchitectureSearch.teacherArchitecture(teacher, run);
                DistillCommand.checkCompatible(teacher, teacherFile, run);
            } else {
                // say now, not after training the teacher, that the constraints cannot be met
                ArchitectureSearch.checkFeasible(run, run.config().teacher.architecture != null
                        ? run.config().teacher.architecture
                        : UNetArchitecture.of(Trainer.spec(run.config(), run.config().teacher, run.data(), false)));
                TrainedModel trained = run.trainFromScratch("teacher", run.config().teacher);
                Reports.history(run.folder(), trained, run.data().task());
                teacher = trained.graph();
            }
            return new ArchitectureSearch(run, teacher).run(options.resume != null);
        });
    }

    @Override
    public Integer call() {
        ArchitectureSearch.Result r = run();
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
