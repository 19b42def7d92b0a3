package io.distill4j.eval;

import io.distill4j.eval.Benchmark.Measurement;
import io.distill4j.eval.Benchmark.Step;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One table of distill4j's and PyTorch's images/s for every model, size and step either measured, with their ratio,
 * and the machine both ran on (CPU flags, thread counts). The peer may be absent (PyTorch not installed): then the
 * table has distill4j's column alone and {@code peerNote} says why.
 *
 * @param cpu          the CPU model
 * @param cpuFlags     the vector extensions /proc/cpuinfo lists (avx2, avx512f, avx512_vnni, ...)
 * @param cores        the cores this process may run on (a {@code taskset} pin shows here)
 * @param dl4jThreads  distill4j's OpenMP threads (ONNX Runtime is given as many)
 * @param runtime      where distill4j's inference ran (its training steps always run on DL4J)
 * @param peer         "PyTorch 1.13.0, 2 threads, CPU capability AVX2", or null when there is no peer
 * @param peerNote     why there is no peer, or null
 * @param environment  the settings both sides inherit that change their speed: OMP_NUM_THREADS and GLIBC_TUNABLES
 *                     (the launcher sets the latter; see its comment)
 */
public record SideBySide(String createdAt, String cpu, String cpuFlags, int cores, String dl4jThreads,
                         Benchmark.Engine runtime, String peer, String peerNote, String environment, List<Row> rows,
                         List<Benchmark.PairedRatio> pairedRatios) {

    /** One step: images/s on both sides (NaN where a side did not measure it) and distill4j / PyTorch. */
    public record Row(String model, int size, Step step, double distill4j, double pytorch, double ratio) {
    }

    public static SideBySide of(Benchmark.Result result, PyTorchPeer.Result peer, String peerNote) {
        List<Row> rows = new ArrayList<>();
        for (String model : result.settings().models()) {
            for (int size : result.settings().sizes()) {
                for (Step step : Step.values()) {
                    Measurement m = result.find(model, size, step);
                    PyTorchPeer.Row p = peer == null ? null : peer.find(model, size, step);
                    if (m == null && p == null) {
                        continue;
                    }
                    double ours = m == null ? Double.NaN : m.imagesPerSecond();
                    double theirs = p == null ? Double.NaN : p.imagesPerSecond();
                    rows.add(new Row(model, size, step, ours, theirs, ours / theirs));
                }
            }
        }
        Benchmark.Machine machine = result.machine();
        String peerLine = peer == null ? null : String.format(Locale.ROOT, "PyTorch %s, %d threads, CPU capability %s",
                peer.torch(), peer.threads(), peer.cpuCapability());
        String environment = java.util.stream.Stream.of("OMP_NUM_THREADS", "GLIBC_TUNABLES")
                .map(name -> name + "=" + java.util.Objects.requireNonNullElse(System.getenv(name), "(unset)"))
                .collect(java.util.stream.Collectors.joining(" "));
        return new SideBySide(result.createdAt(), machine.cpu(), machine.simd(), machine.cores(), machine.ompThreads(),
                result.settings().runtime(), peerLine, peerNote, environment, List.copyOf(rows),
                result.pairedRatios());
    }

    public Row find(String model, int size, Step step) {
        return rows.stream().filter(r -> r.model().equals(model) && r.size() == size && r.step() == step)
                .findFirst().orElse(null);
    }

    public String markdown() {
        StringBuilder md = new StringBuilder("## Side by side with PyTorch\n\n");
        md.append(String.format(Locale.ROOT, "%s · %s · CPU flags: %s · %d core%s for this process · distill4j on %s, %s "
                        + "thread%s · %s · both with %s\n\n", createdAt, cpu, cpuFlags, cores, cores == 1 ? "" : "s",
                runtime.label(), dl4jThreads, "1".equals(dl4jThreads) ? "" : "s", peer != null ? peer : "no PyTorch peer: " + peerNote,
                environment));
        md.append("| model | size | step | distill4j img/s | PyTorch img/s | distill4j / PyTorch |\n");
        md.append("|---|---:|---|---:|---:|---:|\n");
        for (Row row : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d×%d | %s | %s | %s | %s |\n", row.model(), row.size(),
                    row.size(), describe(row.step()), number(row.distill4j()), number(row.pytorch()),
                    Double.isFinite(row.ratio()) ? String.format(Locale.ROOT, "%.2f×", row.ratio()) : "–"));
        }
        List<String> notes = derived();
        if (!notes.isEmpty()) {
            md.append('\n');
            notes.forEach(line -> md.append("- ").append(line).append('\n'));
        }
        return md.toString();
    }

    /** The ratios the student targets are stated in, on both sides: cached vs plain step, and 2× the size. */
    List<String> derived() {
        List<String> lines = new ArrayList<>();
        List<Integer> sizes = rows.stream().map(Row::size).distinct().sorted().toList();
        for (int size : sizes) {
            Row cached = find("student", size, Step.DISTILL_CACHED);
            Row plain = find("student", size, Step.TRAIN);
            if (cached != null && plain != null) {
                Benchmark.PairedRatio paired = Benchmark.findPaired(pairedRatios, "student", size, Step.DISTILL_CACHED,
                        size, Step.TRAIN);
                lines.add(String.format(Locale.ROOT, "%d×%d: a cached distillation step costs %s a plain student step"
                                + " in distill4j, %s in PyTorch (medians)%s.", size, size,
                        times(plain.distill4j() / cached.distill4j()), times(plain.pytorch() / cached.pytorch()),
                        paired == null ? "" : "; in distill4j " + paired.describe()));
            }
        }
        for (Row row : rows) {
            Row doubled = find(row.model(), row.size() * 2, row.step());
            if (doubled != null) {
                Benchmark.PairedRatio paired = Benchmark.findPaired(pairedRatios, row.model(), doubled.size(),
                        row.step(), row.size(), row.step());
                lines.add(String.format(Locale.ROOT, "%s %s: %d×%d runs at %s the images/s of %d×%d in distill4j, %s in "
                                + "PyTorch (medians; 0.25× is proportional to the work)%s.", row.model(),
                        describe(row.step()), doubled.size(), doubled.size(), times(doubled.distill4j() / row.distill4j()),
                        row.size(), row.size(), times(doubled.pytorch() / row.pytorch()),
                        paired == null ? "" : "; in distill4j " + paired.describeImagesPerSecond()));
            }
        }
        return lines;
    }

    static String describe(Step step) {
        return switch (step) {
            case TRAIN -> "train";
            case DISTILL -> "distill, teacher recomputed";
            case DISTILL_CACHED -> "distill, cached teacher logits";
            case INFERENCE -> "inference";
        };
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "–";
    }

    private static String times(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f×", value) : "–";
    }
}
