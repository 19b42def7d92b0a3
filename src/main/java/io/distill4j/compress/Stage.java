package io.distill4j.compress;

import java.util.List;
import java.util.Locale;

/**
 * One measured model in a compression table: what it is, its size as stored and as computed, its accuracy on the
 * evaluation split and its measured inference time.
 *
 * @param parameters  parameters of the graph as built (a filter-pruned graph has fewer)
 * @param nonZero     weights and biases that are not exactly zero
 * @param fileBytes   size of the file this stage wrote (-1: none)
 * @param metric      the main metric (mean IoU or accuracy) on the split
 * @param msPerImage  {@code InferenceTimer} median, per image
 * @param note        how the file stores the weights, what the stage did
 */
public record Stage(String name, long parameters, long nonZero, long fileBytes, double metric, double msPerImage,
                    String note) {

    /** A Markdown table of stages, with the file size relative to the first row that has one. */
    public static String table(String metricName, List<Stage> stages) {
        long reference = stages.stream().mapToLong(Stage::fileBytes).filter(b -> b > 0).findFirst().orElse(-1);
        StringBuilder md = new StringBuilder("| stage | parameters | non-zero | file bytes | vs. first | "
                + metricName + " | ms / image | stored as |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Stage s : stages) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %s | %s | %s | %s |%n", s.name(),
                    s.parameters(), s.nonZero(), s.fileBytes() < 0 ? "–" : String.format(Locale.ROOT, "%,d", s.fileBytes()),
                    s.fileBytes() < 0 || reference < 0 ? "–" : String.format(Locale.ROOT, "%.3f×", (double) s.fileBytes() / reference),
                    Double.isNaN(s.metric()) ? "n/a" : String.format(Locale.ROOT, "%.4f", s.metric()),
                    Double.isNaN(s.msPerImage()) ? "n/a" : String.format(Locale.ROOT, "%.2f", s.msPerImage()), s.note()));
        }
        return md.toString();
    }
}
