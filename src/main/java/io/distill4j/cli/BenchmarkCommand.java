package io.distill4j.cli;

import io.distill4j.eval.Benchmark;
import io.distill4j.eval.BenchmarkReport;
import io.distill4j.eval.PyTorchPeer;
import io.distill4j.eval.SideBySide;
import io.distill4j.train.RunFolder;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code distill4j benchmark}: images/s, GFLOP/s and memory of the teacher and student U-Nets on this machine. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Measure training, distillation and inference speed of the teacher and student U-Nets "
                + "(synthetic data, batch 8, float32, median of repetitions after warm-up) and the machine's GEMM rate.",
                "Writes benchmark.json and benchmark.md to a run folder. Run it on an otherwise idle machine."})
public final class BenchmarkCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "Smoke run: 32×32, batch 2, few repetitions (seconds, for CI).")
    boolean quick;

    @Option(names = "--sizes", split = ",", paramLabel = "N,N", description = "Square input sizes (default 64,128,256).")
    List<Integer> sizes;

    @Option(names = "--models", split = ",", paramLabel = "M,M", description = "teacher and/or student (default both).")
    List<String> models;

    @Option(names = "--batch-size", description = "Images per step (default 8).")
    Integer batchSize;

    @Option(names = "--repetitions", description = "Timed repetitions; the median is reported (default 5).")
    Integer repetitions;

    @Option(names = "--warmup", description = "Untimed iterations first (default 2, and at least 3 s).")
    Integer warmup;

    @Option(names = "--steps", split = ",", paramLabel = "STEP,STEP",
            description = "Which steps to time: ${COMPLETION-CANDIDATES} (default all).")
    java.util.Set<Benchmark.Step> steps;

    @Option(names = "--no-dropout", description = "Build the networks without their dropout layers (to see what they cost).")
    boolean noDropout;

    @Option(names = "--workspace-mode", description = "DL4J workspace mode: ENABLED (default) or NONE.")
    WorkspaceMode workspaceMode;

    @Option(names = "--gemm-size", description = "n of the n×n×n GEMM that measures the peak (default 2048; 0 skips).")
    Integer gemmSize;

    @Option(names = "--runtime", paramLabel = "RUNTIME",
            description = "Where inference runs: dl4j (default; every step), onnx or onnx-int8 (ONNX Runtime; inference only).")
    String runtime;

    @Option(names = "--model", paramLabel = "FILE", description = "Time inference of saved models instead (DL4J zip, "
            + "compact file from prune/quantize, or .onnx on ONNX Runtime), each at its own input size.")
    List<Path> modelFiles;

    @Option(names = "--peer", description = "Also run the PyTorch peer (notebooks/pytorch_peer_benchmark.py) with the same "
            + "sizes, steps, batch and threads, and print one side-by-side table (distill4j's alone when PyTorch is "
            + "not importable).")
    boolean peer;

    @Option(names = "--peer-python", paramLabel = "PYTHON",
            description = "The Python that runs the peer (default: the first of python3 and /usr/bin/python3, Debian's, "
                    + "that imports torch).")
    String peerPython;

    @Option(names = "--peer-script", paramLabel = "FILE",
            description = "The peer script (default: notebooks/pytorch_peer_benchmark.py here or in the jar's project).")
    Path peerScript;

    @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs",
            description = "Where the benchmark's run folder goes (default: ${DEFAULT-VALUE}).")
    Path runsDir = Path.of("runs");

    /**
     * What a benchmark run produced: the figures and where they were written; {@code sideBySide} with
     * {@code --peer}, else null.
     */
    public record Outcome(Benchmark.Result result, Path folder, String markdown, SideBySide sideBySide) {
    }

    public Benchmark.Settings settings() {
        Benchmark.Settings base = quick ? Benchmark.Settings.quick() : Benchmark.Settings.standard();
        return new Benchmark.Settings(models != null ? models : base.models(), sizes != null ? sizes : base.sizes(),
                batchSize != null ? batchSize : base.batchSize(), base.inputChannels(), base.numClasses(),
                warmup != null ? warmup : base.warmup(), base.minWarmupMillis(),
                repetitions != null ? repetitions : base.repetitions(),
                base.minRepetitionMillis(), base.dropout() && !noDropout,
                workspaceMode != null ? workspaceMode : base.workspaceMode(),
                gemmSize != null ? gemmSize : base.gemmSize(), base.alpha(), base.temperature(), base.seed(),
                steps != null ? steps : runtime != null ? null : base.steps(),
                runtime != null ? Benchmark.Engine.parse(runtime) : null);
    }

    public Outcome run() {
        Benchmark.Settings settings = settings();
        if (peer && modelFiles != null && !modelFiles.isEmpty()) {
            throw new IllegalArgumentException("--peer compares the built-in teacher and student U-Nets; it does not "
                    + "time saved models (--model)");
        }
        if (modelFiles != null && !modelFiles.isEmpty()) {
            Benchmark.Result result = io.distill4j.deploy.ModelBenchmark.run(modelFiles, settings, System.out::println);
            RunFolder folder = RunFolder.create(runsDir, "benchmark-models");
            String markdown = io.distill4j.deploy.ModelBenchmark.markdown(result, modelFiles);
            folder.writeJson("benchmark.json", result);
            folder.writeText("benchmark.md", markdown);
            return new Outcome(result, folder.dir(), markdown, null);
        }
        Benchmark.Result result = Benchmark.run(settings, System.out::println,
                io.distill4j.deploy.OnnxInference.of(settings.runtime()));
        String name = (quick ? "benchmark-quick" : "benchmark")
                + (settings.runtime() == Benchmark.Engine.DL4J ? "" : "-" + settings.runtime().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        RunFolder folder = RunFolder.create(runsDir, name);
        String markdown = BenchmarkReport.markdown(result);
        folder.writeJson("benchmark.json", result);
        folder.writeText("benchmark.md", markdown);
        SideBySide sideBySide = null;
        if (peer) {
            // the peer runs after distill4j, in this process's affinity and environment (OMP_NUM_THREADS, taskset)
            sideBySide = sideBySide(settings, result, folder);
            markdown = markdown + "\n" + sideBySide.markdown();
            folder.writeJson(SIDE_BY_SIDE_JSON, sideBySide);
            folder.writeText("benchmark.md", markdown);
        }
        return new Outcome(result, folder.dir(), markdown, sideBySide);
    }

    /** The merged table's file in the run folder; the peer's own JSON is {@value #PEER_JSON}. */
    public static final String SIDE_BY_SIDE_JSON = "side-by-side.json";
    public static final String PEER_JSON = "pytorch-peer.json";

    private SideBySide sideBySide(Benchmark.Settings settings, Benchmark.Result result, RunFolder folder) {
        PyTorchPeer.Lookup lookup = PyTorchPeer.find(peerPython != null ? List.of(peerPython) : PyTorchPeer.DEFAULT_PYTHONS,
                peerScript != null ? peerScript : PyTorchPeer.findScript());
        if (lookup.peer() == null) {
            String note = lookup.reason() + " (install PyTorch, e.g. apt-get install python3-torch, or name a "
                    + "Python that has it with --peer-python)";
            System.out.println("PyTorch peer skipped: " + note + "; the table has distill4j's side only.");
            return SideBySide.of(result, null, note);
        }
        int threads = threads(result.machine().ompThreads());
        try {
            return SideBySide.of(result, lookup.peer().run(settings, threads, folder.resolve(PEER_JSON),
                    System.out::println), null);
        } catch (PyTorchPeer.PeerException e) {
            // distill4j's figures are measured and written; a failed peer leaves them a table of their own
            System.out.println("PyTorch peer failed: " + e.getMessage());
            return SideBySide.of(result, null, "the PyTorch peer failed: " + e.getMessage());
        }
    }

    /** distill4j's OpenMP thread count as the peer's; the cores this process may use if ND4J did not say. */
    static int threads(String ompThreads) {
        try {
            return Math.max(1, Integer.parseInt(ompThreads.trim()));
        } catch (RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    @Override
    public Integer call() {
        Outcome outcome = run();
        System.out.println();
        System.out.println(outcome.markdown());
        System.out.printf(Locale.ROOT, "written: %s and %s%s%n", outcome.folder().resolve("benchmark.json"),
                outcome.folder().resolve("benchmark.md"), outcome.sideBySide() == null ? ""
                        : " and " + outcome.folder().resolve(SIDE_BY_SIDE_JSON));
        return 0;
    }
}
