package io.distill4j.eval;

import io.distill4j.eval.Benchmark.Measurement;
import io.distill4j.eval.Benchmark.PairedRatio;
import io.distill4j.eval.Benchmark.Result;
import io.distill4j.eval.Benchmark.Step;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A {@link Benchmark.Result} as Markdown: the machine, one table row per model and size, and the derived ratios. */
public final class BenchmarkReport {

    private BenchmarkReport() {
    }

    public static String markdown(Result result) {
        Benchmark.Machine m = result.machine();
        StringBuilder md = new StringBuilder();
        md.append("# distill4j benchmark\n\n");
        if (result.settings().runtime() != Benchmark.Engine.DL4J) {
            md.append("Inference on **").append(result.settings().runtime().label())
                    .append("**; training steps are DL4J's and not timed here.\n\n");
        }
        md.append(String.format(Locale.ROOT, "%s · %s, %d cores (%s) · %s · DL4J %s, %s backend, native build %s, "
                        + "oneDNN helpers %s, distill4j's oneDNN convolutions %s, BLAS %s, OMP threads %s · batch %d, "
                        + "float32, median of %d repetitions "
                        + "after at least %d warm-up iterations and %.1f s%s\n\n",
                result.createdAt(), m.cpu(), m.cores(), m.simd(), m.java(), m.dl4j(), m.backend(), m.nativeBuild(),
                m.oneDnnHelpers() ? "on" : "off", m.oneDnnConvolutions() ? "on" : "off", m.blas(), m.ompThreads(),
                result.settings().batchSize(),
                result.settings().repetitions(), result.settings().warmup(),
                result.settings().minWarmupMillis() / 1000.0, result.settings().minWarmupMillis() > 0
                        ? String.format(Locale.ROOT, ", then until the JIT settled (at most %.1f s)",
                                result.settings().maxWarmupMillis() / 1000.0) : ""));
        md.append(String.format(Locale.ROOT, "Single-precision GEMM (%d³): **%.1f GFLOP/s**, the practical peak of "
                + "these cores.\n\n", result.settings().gemmSize(), result.gemmGflopPerSecond()));
        md.append("| model | size | forward GFLOP/img | train img/s (GFLOP/s) | distill img/s, teacher recomputed | "
                + "distill img/s, cached logits | inference img/s (GFLOP/s) | peak RSS MiB |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String model : result.settings().models()) {
            for (int size : result.settings().sizes()) {
                Measurement train = result.find(model, size, Step.TRAIN);
                Measurement inference = result.find(model, size, Step.INFERENCE);
                if (train == null && inference == null) {
                    continue;
                }
                long peak = result.measurements().stream()
                        .filter(x -> x.model().equals(model) && x.size() == size)
                        .mapToLong(Measurement::peakResidentBytes).max().orElse(-1);
                md.append(String.format(Locale.ROOT, "| %s | %d×%d | %.3f | %s | %s | %s | %s | %s |\n", model, size,
                        size, result.forwardGflop().getOrDefault(model + "@" + size, Double.NaN),
                        withRate(train), rate(result.find(model, size, Step.DISTILL)),
                        rate(result.find(model, size, Step.DISTILL_CACHED)), withRate(inference),
                        peak < 0 ? "–" : String.valueOf(peak / (1024 * 1024))));
            }
        }
        List<String> derived = derived(result);
        if (!derived.isEmpty()) {
            md.append("\n");
            derived.forEach(line -> md.append("- ").append(line).append('\n'));
        }
        return md.toString();
    }

    /** Ratios the performance targets are stated in, for every size measured. */
    static List<String> derived(Result result) {
        List<String> lines = new ArrayList<>();
        for (int size : result.settings().sizes()) {
            Measurement teacherTrain = result.find("teacher", size, Step.TRAIN);
            if (teacherTrain != null && result.gemmGflopPerSecond() > 0) {
                lines.add(String.format(Locale.ROOT, "%d×%d: teacher training runs at %.0f%% of the GEMM rate.",
                        size, size, 100 * teacherTrain.gflopPerSecond() / result.gemmGflopPerSecond()));
            }
            Measurement cached = result.find("student", size, Step.DISTILL_CACHED);
            Measurement studentTrain = result.find("student", size, Step.TRAIN);
            if (cached != null && studentTrain != null) {
                Benchmark.PairedRatio paired = result.findPaired("student", size, Step.DISTILL_CACHED, Step.TRAIN);
                lines.add(String.format(Locale.ROOT, "%d×%d: a cached distillation step costs %.2f× a plain student "
                        + "step (medians)%s.", size, size, cached.medianMillis() / studentTrain.medianMillis(),
                        paired == null ? "" : ", " + paired.describe()));
            }
            for (String model : result.settings().models()) {
                for (Step step : Step.values()) {
                    Measurement m = result.find(model, size, step);
                    Measurement half = result.find(model, size / 2, step);
                    if (m != null && half != null && size % 2 == 0) {
                        PairedRatio paired = result.findScaling(model, size, step, size / 2);
                        lines.add(String.format(Locale.ROOT, "%s %s: %d×%d runs at %.2f× the images/s of %d×%d "
                                        + "(medians; 0.25× is proportional to the work)%s.", model,
                                step.name().toLowerCase(Locale.ROOT), size, size,
                                m.imagesPerSecond() / half.imagesPerSecond(), size / 2, size / 2,
                                paired == null ? "" : ", " + paired.describeImagesPerSecond()));
                    }
                }
                List<String> heap = new ArrayList<>();
                for (Step step : Step.values()) {
                    Measurement m = result.find(model, size, step);
                    if (m != null && m.javaHeapBytesPerIteration() >= 0) {
                        heap.add(String.format(Locale.ROOT, "%s %d KB", step.name().toLowerCase(Locale.ROOT),
                                m.javaHeapBytesPerIteration() / 1024));
                    }
                }
                if (!heap.isEmpty()) {
                    lines.add(String.format(Locale.ROOT, "%d×%d: %s allocates per batch on the Java heap: %s.", size,
                            size, model, String.join(", ", heap)));
                }
            }
            Measurement ti = result.find("teacher", size, Step.INFERENCE);
            Measurement si = result.find("student", size, Step.INFERENCE);
            if (ti != null && si != null) {
                lines.add(String.format(Locale.ROOT, "%d×%d: student inference is %.1f× the teacher's images/s "
                        + "(%.1f× fewer FLOPs).", size, size, si.imagesPerSecond() / ti.imagesPerSecond(),
                        ti.gflopPerImage() / si.gflopPerImage()));
            }
        }
        return lines;
    }

    private static String rate(Measurement m) {
        return m == null ? "–" : String.format(Locale.ROOT, "%.2f", m.imagesPerSecond());
    }

    private static String withRate(Measurement m) {
        return m == null ? "–" : String.format(Locale.ROOT, "%.2f (%.1f)", m.imagesPerSecond(), m.gflopPerSecond());
    }
}
