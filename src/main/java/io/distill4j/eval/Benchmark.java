package io.distill4j.eval;

import io.distill4j.util.Versions;
import io.distill4j.data.Task;
import io.distill4j.model.Acceleration;
import io.distill4j.model.FlopCount;
import io.distill4j.model.Logits;
import io.distill4j.model.UNetSpec;
import io.distill4j.util.NativeArrays;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Speed of the teacher and student U-Nets on this machine: images per second of a training step, a distillation
 * step and inference, the GFLOP/s that achieves (from {@link FlopCount}), the peak resident memory, and the
 * machine's single-precision GEMM rate as the yardstick.
 *
 * <p>Harness: synthetic in-memory batches (no data loading), a fixed seed, warm-up iterations first (JIT, oneDNN
 * primitive creation, workspace growth, JIT compilation; at least {@link Settings#minWarmupMillis()}), then {@code repetitions} timed repetitions of {@code k} iterations each,
 * {@code k} chosen from the warm-up so a repetition lasts at least {@link Settings#minRepetitionMillis()}; the
 * figure is the median repetition. Every repetition is kept in the result so the spread can be checked.
 */
public final class Benchmark {

    /** What one step does; the FLOPs of each are in {@link #flopsPerImage}. */
    public enum Step {
        /** {@code fit} on class-id labels: forward, backward, Adam update. */
        TRAIN,
        /** teacher inference logits, then the student's distillation {@code fit}: what an uncached epoch costs. */
        DISTILL,
        /** the student's distillation {@code fit} on stored teacher logits: an epoch with the teacher-logit cache. */
        DISTILL_CACHED,
        /** {@code output(false, x)}: inference. */
        INFERENCE
    }

    /** Where inference runs: DL4J, or an ONNX export on ONNX Runtime (float32 or static int8). */
    public enum Engine {
        DL4J("DL4J"), ONNX("ONNX Runtime float32"), ONNX_INT8("ONNX Runtime int8 (QDQ)");

        private final String label;

        Engine(String label) {
            this.label = label;
        }

        /** How reports name it: "DL4J", "ONNX Runtime float32", "ONNX Runtime int8 (QDQ)". */
        public String label() {
            return label;
        }

        /** From the command line's spelling: dl4j, onnx, onnx-int8. */
        public static Engine parse(String name) {
            try {
                return valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--runtime must be dl4j, onnx or onnx-int8, got " + name);
            }
        }
    }

    /** One prepared inference iteration on a batch, holding what it needs (an ONNX Runtime session) until closed. */
    public interface Inference extends AutoCloseable {
        void run();

        @Override
        void close();
    }

    /** Prepares inference of a graph on a batch in some runtime. */
    @FunctionalInterface
    public interface InferenceRuntime {
        Inference prepare(ComputationGraph graph, INDArray features);
    }

    /**
     * DL4J's own inference through its {@code OutputAdapter} form of {@code output}, which computes into a reused
     * workspace ({@link InferenceTimer#output}), as an application reading each result at once would call it.
     */
    public static final InferenceRuntime DL4J_INFERENCE = (graph, features) -> new Inference() {
        @Override
        public void run() {
            InferenceTimer.output(graph, features);
        }

        @Override
        public void close() {
        }
    };

    /**
     * @param models              "teacher" and/or "student"
     * @param sizes               square input sizes
     * @param dropout             keep the seed's dropout layers (they are part of the trained network)
     * @param workspaceMode       DL4J workspace mode for training and inference
     * @param runtime             where inference runs; ONNX runtimes time inference only
     */
    public record Settings(List<String> models, List<Integer> sizes, int batchSize, int inputChannels, int numClasses,
                           int warmup, long minWarmupMillis, int repetitions, long minRepetitionMillis, boolean dropout,
                           WorkspaceMode workspaceMode, int gemmSize, double alpha, double temperature, long seed,
                           java.util.Set<Step> steps, Engine runtime) {

        public Settings {
            models = List.copyOf(models);
            sizes = List.copyOf(sizes);
            runtime = runtime == null ? Engine.DL4J : runtime;
            if (runtime != Engine.DL4J && steps != null && steps.stream().anyMatch(s -> s != Step.INFERENCE)) {
                throw new IllegalArgumentException("runtime " + runtime + " times inference only, not " + steps);
            }
            steps = runtime != Engine.DL4J ? java.util.EnumSet.of(Step.INFERENCE)
                    : steps == null || steps.isEmpty() ? java.util.EnumSet.allOf(Step.class) : java.util.EnumSet.copyOf(steps);
            for (String model : models) {
                if (!model.equals("teacher") && !model.equals("student")) {
                    throw new IllegalArgumentException("models are \"teacher\" and \"student\", got \"" + model + "\"");
                }
            }
            for (int size : sizes) {
                if (size < 16 || size % 16 != 0) {
                    throw new IllegalArgumentException("sizes must be positive multiples of 16 (4 poolings), got " + size);
                }
            }
            if (batchSize < 1 || warmup < 1 || repetitions < 1 || gemmSize < 0) {
                throw new IllegalArgumentException("batch size, warm-up and repetitions must be >= 1 and the GEMM size >= 0");
            }
        }

        /** How long a warm-up waits at most for the JIT to settle (see {@link Benchmark#warmUp}). */
        public long maxWarmupMillis() {
            return 5 * minWarmupMillis;
        }

        /** DL4J inference. */
        public Settings(List<String> models, List<Integer> sizes, int batchSize, int inputChannels, int numClasses,
                        int warmup, long minWarmupMillis, int repetitions, long minRepetitionMillis, boolean dropout,
                        WorkspaceMode workspaceMode, int gemmSize, double alpha, double temperature, long seed,
                        java.util.Set<Step> steps) {
            this(models, sizes, batchSize, inputChannels, numClasses, warmup, minWarmupMillis, repetitions,
                    minRepetitionMillis, dropout, workspaceMode, gemmSize, alpha, temperature, seed, steps, Engine.DL4J);
        }

        /** The same settings with inference in {@code newRuntime}. */
        public Settings withRuntime(Engine newRuntime) {
            return new Settings(models, sizes, batchSize, inputChannels, numClasses, warmup, minWarmupMillis, repetitions,
                    minRepetitionMillis, dropout, workspaceMode, gemmSize, alpha, temperature, seed,
                    newRuntime == Engine.DL4J ? steps : null, newRuntime);
        }

        /** The issue's protocol: teacher and student at 64, 128 and 256, batch 8, median of 5 repetitions. */
        public static Settings standard() {
            return new Settings(List.of("teacher", "student"), List.of(64, 128, 256), 8, 3, 6, 2, 3000, 5, 400, true,
                    WorkspaceMode.ENABLED, 2048, 0.5, 2.0, 42L, null);
        }

        /** A smoke run for CI: tiny inputs, one repetition's worth of statistics. */
        public static Settings quick() {
            return new Settings(List.of("teacher", "student"), List.of(32), 2, 3, 6, 1, 0, 3, 0, true,
                    WorkspaceMode.ENABLED, 256, 0.5, 2.0, 42L, null);
        }

        public Settings withSizes(List<Integer> newSizes) {
            return new Settings(models, newSizes, batchSize, inputChannels, numClasses, warmup, minWarmupMillis, repetitions,
                    minRepetitionMillis, dropout, workspaceMode, gemmSize, alpha, temperature, seed, steps, runtime);
        }
    }

    /**
     * One timed configuration.
     *
     * @param repetitionMillis   each repetition's time per iteration (one batch), in the order run
     * @param peakResidentBytes  the process's peak resident memory while this configuration ran
     * @param javaHeapBytesPerIteration Java heap the measuring thread allocated per iteration over the timed
     *                           repetitions (-1 where the JVM does not count it): ND4J keeps arrays off-heap, but each
     *                           array's Java wrapper, shape buffer and deallocator record is garbage the collector
     *                           stops the step for
     * @param repetitionGcMillis the garbage collectors' pauses during each repetition, in all (not per iteration;
     *                           -1 where the JVM does not report them)
     * @param repetitionJitMillis the JIT compilers' time during each repetition, in all (-1 where not reported): on
     *                           a pinned core they run beside the step; with the pauses, they tell a slow repetition
     *                           the JVM slowed from one the machine did
     */
    public record Measurement(String model, int size, Step step, int batchSize, int iterationsPerRepetition,
                              double[] repetitionMillis, double medianMillis, double minMillis, double maxMillis,
                              double imagesPerSecond, double gflopPerImage, double gflopPerSecond,
                              long peakResidentBytes, long javaHeapBytesPerIteration, long[] repetitionGcMillis,
                              long[] repetitionJitMillis) {
    }

    /**
     * The time of a step over that of a baseline step, from {@code ratios.length} pairs of repetitions run one after
     * the other (which of the two goes first alternates): two medians taken a minute apart carry the machine's drift
     * over that minute, which on the project's VMs moved a cached/plain ratio between 0.96× and 1.36× from run to run.
     * The baseline is another step at the same size (cached distillation over a plain step) or the same step at a
     * smaller size, {@code baselineSize} (how a step scales with the image).
     *
     * @param ratios the pairs' ratios, step time over baseline time per batch, in the order run
     */
    public record PairedRatio(String model, int size, Step step, Step baseline, double[] ratios, double median,
                              double lowerQuartile, double upperQuartile, int baselineSize) {

        /** A ratio of two steps at one size. */
        public PairedRatio(String model, int size, Step step, Step baseline, double[] ratios, double median,
                           double lowerQuartile, double upperQuartile) {
            this(model, size, step, baseline, ratios, median, lowerQuartile, upperQuartile, size);
        }

        /** "1.05× in 10 alternating pairs (quartiles 1.02–1.08)": time over the baseline's. */
        public String describe() {
            return String.format(Locale.ROOT, "%.2f× in %d alternating pairs (quartiles %.2f–%.2f)", median,
                    ratios.length, lowerQuartile, upperQuartile);
        }

        /**
         * "0.26× the images/s in 10 alternating pairs (quartiles 0.25–0.27)": the same pairs as images/s over the
         * baseline's, each pair's inverse (batches are the same size).
         */
        public String describeImagesPerSecond() {
            DescriptiveStatistics rates = new DescriptiveStatistics(Arrays.stream(ratios).map(r -> 1 / r).toArray());
            return String.format(Locale.ROOT, "%.2f× the images/s in %d alternating pairs (quartiles %.2f–%.2f)",
                    rates.getPercentile(50), ratios.length, rates.getPercentile(25), rates.getPercentile(75));
        }
    }

    /** The machine and software the figures belong to. */
    public record Machine(String cpu, int cores, String simd, String os, String java, String dl4j, String backend,
                          String blas, String ompThreads, String nativeBuild, boolean oneDnnHelpers,
                          boolean oneDnnConvolutions, long maxHeapBytes, String jvmArguments) {
    }

    /**
     * @param forwardGflop     per model and size: forward-pass GFLOP per image
     * @param gemmGflopPerSecond single-precision GEMM rate (n × n × n, median of 5), the practical peak of the cores
     */
    public record Result(String createdAt, Machine machine, Settings settings, double gemmGflopPerSecond,
                         Map<String, Double> forwardGflop, List<Measurement> measurements, long peakResidentBytes,
                         List<PairedRatio> pairedRatios) {

        /** The paired ratio of {@code step} to {@code baseline} for one model and size, or null. */
        public PairedRatio findPaired(String model, int size, Step step, Step baseline) {
            return Benchmark.findPaired(pairedRatios, model, size, step, size, baseline);
        }

        /** The paired ratio of {@code step} at {@code size} to the same step at {@code baselineSize}, or null. */
        public PairedRatio findScaling(String model, int size, Step step, int baselineSize) {
            return Benchmark.findPaired(pairedRatios, model, size, step, baselineSize, step);
        }

        /** The measurement of one model, size and step, or null when it was not run. */
        public Measurement find(String model, int size, Step step) {
            return measurements.stream().filter(m -> m.model().equals(model) && m.size() == size && m.step() == step)
                    .findFirst().orElse(null);
        }
    }

    private Benchmark() {
    }

    public static Result run(Settings settings, Consumer<String> progress) {
        return run(settings, progress, DL4J_INFERENCE);
    }

    /** As {@link #run(Settings, Consumer)}, with inference prepared by {@code inference} (for the ONNX runtimes). */
    public static Result run(Settings settings, Consumer<String> progress, InferenceRuntime inference) {
        if (settings.runtime() != Engine.DL4J && inference == DL4J_INFERENCE) {
            throw new IllegalArgumentException("runtime " + settings.runtime() + " needs its inference runtime");
        }
        Acceleration.ensureConfigured();
        Nd4j.getRandom().setSeed(settings.seed());
        Machine machine = machine();
        double gemm = settings.gemmSize() > 0 ? gemmGflopPerSecond(settings.gemmSize()) : Double.NaN;
        progress.accept(String.format("single-precision GEMM %d³: %.1f GFLOP/s", settings.gemmSize(), gemm));
        List<Measurement> measurements = new ArrayList<>();
        List<PairedRatio> pairedRatios = new ArrayList<>();
        Map<String, Double> forwardGflop = new LinkedHashMap<>();
        long overallPeak = 0;
        for (int size : settings.sizes()) {
            Subject subject = Subject.of(size, settings);
            forwardGflop.put("teacher@" + size, subject.teacherFlops() / 1e9);
            if (subject.student() != null) {
                forwardGflop.put("student@" + size, subject.studentFlops() / 1e9);
            }
            if (size == settings.sizes().get(0)) {
                // every step once through the warm-up before any is timed: the JIT compiles code the steps share
                // (DL4J's graph, distill4j's Java loops) over the first seconds, on the measured core when the
                // process is pinned, and the step timed first came out up to 43% slow (README, Performance)
                Timed warmUp = (model, step, flops, iteration) -> {
                    if (settings.steps().contains(step)) {
                        warmUp(settings, iteration);
                    }
                };
                runSteps(settings, inference, subject, warmUp);
            }
            Timed timed = (model, step, flops, iteration) -> {
                if (settings.steps().contains(step)) {
                    measurements.add(measure(model, size, step, settings, flops, iteration, progress));
                }
            };
            runSteps(settings, inference, subject, timed);
            overallPeak = Math.max(overallPeak, ProcessMemory.peakResidentBytes());
            Measurement plainStep = find(measurements, "student", size, Step.TRAIN);
            Measurement cachedStep = find(measurements, "student", size, Step.DISTILL_CACHED);
            if (plainStep != null && cachedStep != null) {
                pairedRatios.add(paired("student", size, Step.DISTILL_CACHED, size, Step.TRAIN,
                        2 * settings.repetitions(), cachedStep.iterationsPerRepetition(), subject.iteration("student",
                                Step.DISTILL_CACHED), plainStep.iterationsPerRepetition(),
                        subject.iteration("student", Step.TRAIN), progress));
            }
            if (settings.runtime() == Engine.DL4J && size % 2 == 0 && settings.sizes().contains(size / 2)) {
                pairedRatios.addAll(scalingPairs(settings, subject, measurements, progress));
            }
            subject.close();
        }
        for (Measurement m : measurements) {
            overallPeak = Math.max(overallPeak, m.peakResidentBytes());
        }
        return new Result(Instant.now().toString(), machine, settings, gemm, forwardGflop, measurements,
                overallPeak, List.copyOf(pairedRatios));
    }

    /**
     * Each step measured at {@code large}'s size against the same step at half the size, in alternating pairs (see
     * {@link PairedRatio}), on networks of the half size built afresh and warmed up for it: after the measurements,
     * so that their peak memory is not raised by the smaller networks'. The two sizes' medians were measured minutes
     * apart, and on the project's VMs the machine's speed moved by up to a fifth between them.
     */
    private static List<PairedRatio> scalingPairs(Settings settings, Subject large, List<Measurement> measurements,
                                                  Consumer<String> progress) {
        int half = large.size() / 2;
        List<PairedRatio> pairs = new ArrayList<>();
        try (Subject small = Subject.of(half, settings)) {
            for (Measurement m : measurements) {
                Measurement baseline = m.size() == large.size() ? find(measurements, m.model(), half, m.step()) : null;
                if (baseline == null) {
                    continue;
                }
                Runnable iteration = large.iteration(m.model(), m.step());
                Runnable baselineIteration = small.iteration(m.model(), m.step());
                for (int i = 0; i < settings.warmup(); i++) {
                    baselineIteration.run();
                    iteration.run();
                }
                pairs.add(paired(m.model(), m.size(), m.step(), half, m.step(), 2 * settings.repetitions(),
                        m.iterationsPerRepetition(), iteration, baseline.iterationsPerRepetition(), baselineIteration,
                        progress));
            }
        }
        return pairs;
    }

    /** The networks and synthetic batch of one size, with the FLOPs of a forward pass. */
    private record Subject(int size, ComputationGraph teacher, ComputationGraph student, INDArray features,
                           INDArray classIds, DataSet plain, DataSet cached, long teacherFlops, long studentFlops)
            implements AutoCloseable {

        /** The teacher always (the recomputed distillation step needs it), the student when measured. */
        static Subject of(int size, Settings settings) {
            ComputationGraph teacher = build(UNetSpec.TEACHER_FILTERS, size, settings, 1.0, 1.0);
            ComputationGraph student = settings.models().contains("student")
                    ? build(UNetSpec.STUDENT_FILTERS, size, settings, settings.alpha(), settings.temperature()) : null;
            INDArray features = Nd4j.rand(DataType.FLOAT, settings.batchSize(), settings.inputChannels(), size, size);
            // uniform class ids in [0, numClasses): rand is in [0, 1)
            INDArray classIds = Transforms.floor(
                    Nd4j.rand(DataType.FLOAT, settings.batchSize(), 1, size, size).muli(settings.numClasses()), false);
            InputType input = InputType.convolutional(size, size, settings.inputChannels());
            long teacherFlops = FlopCount.of(teacher, input).forward();
            long studentFlops = student == null ? 0 : FlopCount.of(student, input).forward();
            DataSet cached = student == null ? null : new DataSet(features,
                    Logits.distillationLabels(teacher, features, classIds));
            return new Subject(size, teacher, student, features, classIds, new DataSet(features, classIds), cached,
                    teacherFlops, studentFlops);
        }

        /** One iteration of a step on DL4J (inference as {@link #DL4J_INFERENCE} runs it). */
        Runnable iteration(String model, Step step) {
            ComputationGraph graph = model.equals("teacher") ? teacher : student;
            return switch (step) {
                case TRAIN -> () -> graph.fit(plain);
                case DISTILL -> () -> {
                    INDArray labels = Logits.distillationLabels(teacher, features, classIds);
                    student.fit(new DataSet(features, labels));
                    NativeArrays.release(labels);
                };
                case DISTILL_CACHED -> () -> student.fit(cached);
                case INFERENCE -> DL4J_INFERENCE.prepare(graph, features)::run;
            };
        }

        @Override
        public void close() {
            if (student != null) {
                student.close();
            }
            teacher.close();
        }
    }

    /** The paired ratio of {@code step} at {@code size} to {@code baseline} at {@code baselineSize}, or null. */
    static PairedRatio findPaired(List<PairedRatio> pairedRatios, String model, int size, Step step, int baselineSize,
                                  Step baseline) {
        return pairedRatios.stream().filter(p -> p.model().equals(model) && p.size() == size && p.step() == step
                && p.baselineSize() == baselineSize && p.baseline() == baseline).findFirst().orElse(null);
    }

    private static Measurement find(List<Measurement> measurements, String model, int size, Step step) {
        return measurements.stream().filter(m -> m.model().equals(model) && m.size() == size && m.step() == step)
                .findFirst().orElse(null);
    }

    /**
     * {@code pairs} pairs of one repetition of {@code step} at {@code size} ({@code k} iterations) and one of
     * {@code baseline} at {@code baselineSize} ({@code baselineK}), the first of each pair alternating; see
     * {@link PairedRatio}.
     */
    static PairedRatio paired(String model, int size, Step step, int baselineSize, Step baseline, int pairs, int k,
                              Runnable iteration, int baselineK, Runnable baselineIteration, Consumer<String> progress) {
        double[] ratios = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            double stepMillis;
            double baselineMillis;
            if (p % 2 == 0) {
                stepMillis = repetitionMillis(iteration, k);
                baselineMillis = repetitionMillis(baselineIteration, baselineK);
            } else {
                baselineMillis = repetitionMillis(baselineIteration, baselineK);
                stepMillis = repetitionMillis(iteration, k);
            }
            ratios[p] = stepMillis / baselineMillis;
        }
        DescriptiveStatistics stats = new DescriptiveStatistics(ratios);
        PairedRatio ratio = new PairedRatio(model, size, step, baseline, ratios, stats.getPercentile(50),
                stats.getPercentile(25), stats.getPercentile(75), baselineSize);
        String stepName = step.name().toLowerCase(Locale.ROOT);
        String baselineName = baseline.name().toLowerCase(Locale.ROOT);
        progress.accept(baselineSize == size
                ? String.format(Locale.ROOT, "%-8s %4d %s / %s: %s", model, size, stepName, baselineName,
                        ratio.describe())
                : String.format(Locale.ROOT, "%-8s %4d %s / %d %s: %s", model, size, stepName, baselineSize,
                        baselineName, ratio.describeImagesPerSecond()));
        return ratio;
    }

    /** Milliseconds per iteration over {@code k} iterations. */
    private static double repetitionMillis(Runnable iteration, int k) {
        long start = System.nanoTime();
        for (int i = 0; i < k; i++) {
            iteration.run();
        }
        // asynchronous backends (CUDA) return before the work is done; commit waits for it
        Nd4j.getExecutioner().commit();
        return (System.nanoTime() - start) / 1e6 / k;
    }

    /** Runs {@code timed} over each step of the models the settings name, in the order they are reported. */
    private static void runSteps(Settings settings, InferenceRuntime inference, Subject subject, Timed timed) {
        if (settings.models().contains("teacher")) {
            timed.run("teacher", Step.TRAIN, 3 * subject.teacherFlops(), subject.iteration("teacher", Step.TRAIN));
            if (settings.steps().contains(Step.INFERENCE)) {
                try (Inference run = inference.prepare(subject.teacher(), subject.features())) {
                    timed.run("teacher", Step.INFERENCE, subject.teacherFlops(), run::run);
                }
            }
        }
        if (subject.student() != null) {
            long studentFlops = subject.studentFlops();
            timed.run("student", Step.TRAIN, 3 * studentFlops, subject.iteration("student", Step.TRAIN));
            timed.run("student", Step.DISTILL, subject.teacherFlops() + 3 * studentFlops,
                    subject.iteration("student", Step.DISTILL));
            timed.run("student", Step.DISTILL_CACHED, 3 * studentFlops,
                    subject.iteration("student", Step.DISTILL_CACHED));
            if (settings.steps().contains(Step.INFERENCE)) {
                try (Inference run = inference.prepare(subject.student(), subject.features())) {
                    timed.run("student", Step.INFERENCE, studentFlops, run::run);
                }
            }
        }
    }

    /** Times one step if the settings ask for it. */
    private interface Timed {
        void run(String model, Step step, long flopsPerImage, Runnable iteration);
    }

    private static ComputationGraph build(List<Integer> filters, int size, Settings settings, double alpha,
                                          double temperature) {
        UNetSpec spec = UNetSpec.of(filters, Task.SEGMENTATION, settings.inputChannels(), settings.numClasses(), size, size)
                .withSeed(settings.seed()).withLoss(alpha, temperature, null);
        if (!settings.dropout()) {
            spec = spec.withoutDropout();
        }
        ComputationGraphConfiguration conf = io.distill4j.model.UNetFactory.configuration(spec);
        conf.setTrainingWorkspaceMode(settings.workspaceMode());
        conf.setInferenceWorkspaceMode(settings.workspaceMode());
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** Times one iteration with the protocol (warm-up, then the median of the repetitions). */
    public static Measurement measure(String model, int size, Step step, Settings settings, long flopsPerImage,
                                       Runnable iteration, Consumer<String> progress) {
        ProcessMemory.resetPeak();
        double warmMillis = warmUp(settings, iteration);
        int k = (int) Math.max(1, Math.ceil(settings.minRepetitionMillis() / Math.max(warmMillis, 1e-3)));
        double[] millis = new double[settings.repetitions()];
        long[] gcMillis = new long[millis.length];
        long[] jitMillis = new long[millis.length];
        long heapBefore = JvmActivity.allocatedByThisThread();
        for (int r = 0; r < millis.length; r++) {
            long gcBefore = JvmActivity.collectorPauseMillis();
            long jitBefore = JvmActivity.compilerMillis();
            millis[r] = repetitionMillis(iteration, k);
            gcMillis[r] = gcBefore < 0 ? -1 : JvmActivity.collectorPauseMillis() - gcBefore;
            jitMillis[r] = jitBefore < 0 ? -1 : JvmActivity.compilerMillis() - jitBefore;
        }
        long heapBytes = JvmActivity.allocatedByThisThread() - heapBefore;
        long heapPerIteration = heapBefore < 0 ? -1 : Math.round(heapBytes / (double) (k * millis.length));
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        double median = median(sorted);
        double imagesPerSecond = settings.batchSize() * 1000.0 / median;
        double gflopPerImage = flopsPerImage / 1e9;
        Measurement m = new Measurement(model, size, step, settings.batchSize(), k, millis, median, sorted[0],
                sorted[sorted.length - 1], imagesPerSecond, gflopPerImage, gflopPerImage * imagesPerSecond,
                ProcessMemory.peakResidentBytes(), heapPerIteration, gcMillis, jitMillis);
        progress.accept(String.format(Locale.ROOT, "%-8s %4d %-15s %8.2f img/s  %6.1f GFLOP/s  (median %.1f ms/batch, "
                        + "%d×%d; %d KB Java heap/batch; of %.0f ms timed, GC %d ms, JIT %d ms)", model, size,
                step.name().toLowerCase(Locale.ROOT), imagesPerSecond, m.gflopPerSecond(), median, k,
                settings.repetitions(), heapPerIteration / 1024, Arrays.stream(millis).sum() * k,
                Arrays.stream(gcMillis).sum(), Arrays.stream(jitMillis).sum()));
        return m;
    }

    /** A warm-up window in which the JIT compiled for less than this share of its time is quiet. */
    private static final double SETTLED_JIT_SHARE = 0.02;
    private static final double JIT_WINDOW_MILLIS = 1000;
    /** Quiet windows in a row that count as settled: C2 compiles in bursts with quiet seconds between them. */
    private static final int SETTLED_WINDOWS = 2;

    /**
     * At least {@code warmup} iterations and {@code minWarmupMillis}: the JIT compiles the Java side (DL4J's graph
     * code, the loss) only after many calls, and with 2 iterations of a fast step the first sizes measured ran slower.
     * Then, when {@code minWarmupMillis} is positive, on until the JIT has settled (two seconds in a row in each of
     * which its threads used under 2% of a core) or {@link Settings#maxWarmupMillis} have passed: C2 compiles DL4J's big
     * graph methods (0.8-1 s each, several times over) for tens of seconds in bursts, on the step's core when the
     * process is pinned, and repetitions of the student's inference it overlapped took up to twice as long for the
     * same CPU time of the step's own thread.
     *
     * @return the mean milliseconds of a warm-up iteration
     */
    private static double warmUp(Settings settings, Runnable iteration) {
        long start = System.nanoTime();
        int iterations = warmUp(settings, iteration, System::nanoTime, JvmActivity::compilerMillis);
        Nd4j.getExecutioner().commit();
        return (System.nanoTime() - start) / 1e6 / iterations;
    }

    /** {@link #warmUp(Settings, Runnable)} on the given clocks; returns the iterations run. */
    static int warmUp(Settings settings, Runnable iteration, LongSupplier nanoTime, LongSupplier compilerMillis) {
        long warmStart = nanoTime.getAsLong();
        long jitWaitLimit = settings.maxWarmupMillis();
        int warmIterations = 0;
        long windowStart = warmStart;
        long windowJit = compilerMillis.getAsLong();
        boolean jitSettled = settings.minWarmupMillis() <= 0 || windowJit < 0;
        int quietWindows = 0;
        double elapsed = 0;
        while (warmIterations < settings.warmup() || elapsed < settings.minWarmupMillis()
                || (!jitSettled && elapsed < jitWaitLimit)) {
            iteration.run();
            warmIterations++;
            long now = nanoTime.getAsLong();
            elapsed = (now - warmStart) / 1e6;
            double window = (now - windowStart) / 1e6;
            if (!jitSettled && window >= JIT_WINDOW_MILLIS) {
                long jit = compilerMillis.getAsLong();
                quietWindows = jit - windowJit < SETTLED_JIT_SHARE * window ? quietWindows + 1 : 0;
                jitSettled = elapsed >= settings.minWarmupMillis() && quietWindows >= SETTLED_WINDOWS;
                windowStart = now;
                windowJit = jit;
            }
        }
        return warmIterations;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Median rate of 5 single-precision n×n×n matrix products through ND4J's BLAS, after 2 warm-up products. */
    public static double gemmGflopPerSecond(int n) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 2; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double[] seconds = new double[5];
        for (int i = 0; i < seconds.length; i++) {
            long start = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            Nd4j.getExecutioner().commit();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return 2.0 * n * n * (double) n / median(seconds) / 1e9;
    }

    /** The machine and build the figures belong to. */
    public static Machine machine() {
        java.util.Properties env = Acceleration.environment();
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(), simd(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")", Versions.dl4j(),
                Acceleration.backend(), env.get("blas.vendor") + " (" + env.get("blas.threads") + " threads)",
                String.valueOf(env.get("omp.threads")), Acceleration.nativeBuild(), Acceleration.convolutionHelperInUse(),
                Acceleration.oneDnnConvolutions(), Runtime.getRuntime().maxMemory(),
                String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    }

    private static String cpuModel() {
        return cpuInfo("model name").orElse(System.getProperty("os.arch"));
    }

    /** The vector extensions that matter for the kernels, as /proc/cpuinfo lists them. */
    private static String simd() {
        List<String> flags = List.of(cpuInfo("flags").orElse("").split("\\s+"));
        return String.join(" ", List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile").stream()
                .filter(flags::contains).toList());
    }

    private static java.util.Optional<String> cpuInfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith(key)) {
                    return java.util.Optional.of(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return java.util.Optional.empty();
    }
}
