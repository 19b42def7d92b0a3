package io.distill4j.eval;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A Markdown table comparing models (typically teacher, distilled student and scratch student): parameters, model
 * file size, the main metric and inference milliseconds per image (from {@link InferenceTimer}).
 *
 * @param metricName column title of the metric, e.g. "mean IoU" or "accuracy"
 * @param rows       one row per model, in the order shown
 */
public record ComparisonTable(String metricName, List<Row> rows) {

    public ComparisonTable {
        rows = List.copyOf(rows);
    }

    /**
     * One model.
     *
     * @param fileBytes  size of its model file, or -1 if it has none
     * @param metric     its main metric (NaN if not evaluated)
     * @param msPerImage inference time per image (NaN if not measured)
     */
    public record Row(String name, long parameters, long fileBytes, double metric, double msPerImage) {
    }

    /** A row for a graph: its parameter count and the size of its model file (-1 if the file is null or absent). */
    public static Row row(String name, ComputationGraph graph, Path modelFile, double metric, double msPerImage) {
        long bytes = -1;
        if (modelFile != null && Files.isRegularFile(modelFile)) {
            try {
                bytes = Files.size(modelFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of " + modelFile, e);
            }
        }
        return new Row(name, graph.numParams(), bytes, metric, msPerImage);
    }

    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("| model | parameters | model file | ").append(metricName).append(" | ms / image |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            md.append("| ").append(row.name().replace("|", "\\|"))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", row.parameters()))
                    .append(" | ").append(row.fileBytes() < 0 ? "–" : humanBytes(row.fileBytes())
                            + String.format(Locale.ROOT, " (%,d bytes)", row.fileBytes()))
                    .append(" | ").append(Double.isNaN(row.metric()) ? "n/a"
                            : String.format(Locale.ROOT, "%.4f", row.metric()))
                    .append(" | ").append(Double.isNaN(row.msPerImage()) ? "n/a"
                            : String.format(Locale.ROOT, "%.2f", row.msPerImage()))
                    .append(" |\n");
        }
        return md.toString();
    }

    /** Writes {@link #toMarkdown()} to a file (UTF-8). */
    public void write(Path markdown) {
        try {
            Path parent = markdown.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(markdown, toMarkdown(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + markdown, e);
        }
    }

    /** Binary units with two decimals above bytes: "512 B", "1.50 KiB", "7.41 MiB", "1.02 GiB". */
    public static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", value, units[unit]);
    }

    @Override
    public String toString() {
        return toMarkdown();
    }
}
