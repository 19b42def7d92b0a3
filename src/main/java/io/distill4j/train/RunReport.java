package io.distill4j.train;

import io.distill4j.data.Split;
import io.distill4j.data.Task;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.EvaluationTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A run's {@code report.md}, the one report writer of the commands that train ({@code train}, {@code distill},
 * {@code tune}, {@code demo}): a title and the run's data, what the command adds (a comparison, a sweep's table), one
 * section per model with its test metrics and per-class table (as {@code evaluate} prints them) and its per-epoch
 * records, and every plot and mosaic in the run folder, linked by relative path under the model it belongs to.
 */
public final class RunReport {

    /** Where a run keeps its pictures, relative to the run folder. */
    private static final List<String> PICTURE_FOLDERS = List.of("plots", "predictions");

    private final Run run;
    /** The report so far: Markdown, with a model's picture links to be filled in where {@link #write} finds them. */
    private final List<Part> parts = new ArrayList<>();
    private final List<String> models = new ArrayList<>();
    private StringBuilder text = new StringBuilder();

    /** Text, or the place of a model's plots and mosaics (written after its section, so linked at the end). */
    private sealed interface Part permits Text, PicturesOf {
    }

    private record Text(String markdown) implements Part {
    }

    private record PicturesOf(String model) implements Part {
    }

    private RunReport(Run run, String title) {
        this.run = run;
        text.append("# ").append(title).append("\n\n");
        text.append(String.format(Locale.ROOT, "Run folder `%s`. Data: %s (%,d train / %,d validation / %,d test),"
                        + " fingerprint %s. Config: [config.yaml](%s), provenance: [provenance.json](%s), log: [run.log](%s)."
                        + "%n%n", run.folder().dir().getFileName(), run.data().name(), run.data().size(Split.TRAIN),
                run.data().size(Split.VALIDATION), run.data().size(Split.TEST), run.data().fingerprint().substring(0, 12),
                RunFolder.CONFIG, RunFolder.PROVENANCE, RunFolder.LOG));
    }

    /** A report of {@code run} titled {@code title}. */
    public static RunReport of(Run run, String title) {
        return new RunReport(run, title);
    }

    /** A paragraph or ready-made Markdown (a table, a verdict). */
    public RunReport add(String markdown) {
        text.append(markdown.strip()).append("\n\n");
        return this;
    }

    /** A section headed {@code heading} with Markdown under it. */
    public RunReport section(String heading, String markdown) {
        text.append("## ").append(heading).append("\n\n");
        return add(markdown);
    }

    /**
     * A model's section: its test metrics and per-class table, its per-epoch records (the kept epoch marked) and, when
     * the report is written, its plots and mosaics (files named {@code <model>-...} under plots/ and predictions/).
     *
     * @param test the model's test-split result, or null when it was not evaluated
     */
    public RunReport model(TrainedModel model, EvaluationResult test) {
        models.add(model.name());
        text.append("## ").append(model.name()).append("\n\n");
        text.append(String.format(Locale.ROOT, "Model file [%s](%s), kept from epoch %d of %d%s.%n%n",
                model.modelFile().getFileName(), relative(model.modelFile()), model.best().epoch(),
                model.history().size(), model.stoppedEarly() ? " (stopped early)" : ""));
        if (test != null) {
            text.append("### Test\n\n").append(EvaluationTable.markdown(test, "test", testImages())).append("\n");
        }
        text.append("### Per epoch\n\n").append(epochTable(model.history(), model.best().epoch(), run.data().task()))
                .append("\n");
        parts.add(new Text(text.toString()));
        parts.add(new PicturesOf(model.name()));
        text = new StringBuilder("\n");
        return this;
    }

    /** Writes {@code report.md} in the run folder, with the pictures linked; returns its path. */
    public Path write() {
        List<String> pictures = pictures();
        StringBuilder body = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Text t) {
                body.append(t.markdown());
            } else if (part instanceof PicturesOf p) {
                body.append(links(pictures.stream().filter(f -> p.model().equals(owner(f))).toList()));
            }
        }
        body.append(text);
        List<String> rest = pictures.stream().filter(p -> !models.contains(owner(p))).toList();
        if (!rest.isEmpty()) {
            body.append("## Plots and mosaics\n\n").append(links(rest));
        }
        run.folder().writeText("report.md", body.toString());
        return run.folder().resolve("report.md");
    }

    private String links(List<String> pictures) {
        StringBuilder s = new StringBuilder();
        for (String p : pictures) {
            String name = p.substring(p.lastIndexOf('/') + 1);
            s.append("![").append(name).append("](").append(p).append(")\n");
        }
        return s.toString();
    }

    /** The model a picture belongs to: the longest reported model name its file name starts with, then a dash. */
    private String owner(String picture) {
        String file = picture.substring(picture.lastIndexOf('/') + 1);
        return models.stream().filter(m -> file.startsWith(m + "-")).max(Comparator.comparingInt(String::length))
                .orElse(null);
    }

    /** The PNGs under the run's picture folders, as paths relative to the run folder ('/'-separated), sorted. */
    private List<String> pictures() {
        List<String> found = new ArrayList<>();
        for (String folder : PICTURE_FOLDERS) {
            Path dir = run.folder().resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".png") && Files.isRegularFile(f))
                        .map(this::relative).sorted().forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        return found;
    }

    private String relative(Path file) {
        return run.folder().dir().toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString()
                .replace('\\', '/');
    }

    /** Images the test evaluation covered: the split, or its first {@code maxEvalBatches} batches. */
    private long testImages() {
        int size = run.data().size(Split.TEST);
        int maxBatches = run.config().training.maxEvalBatches;
        return maxBatches > 0 ? Math.min(size, (long) maxBatches * run.config().training.batchSize) : size;
    }

    /** The per-epoch records as a Markdown table, the kept epoch in bold. */
    static String epochTable(List<EpochRecord> history, int keptEpoch, Task task) {
        boolean segmentation = task == Task.SEGMENTATION;
        StringBuilder s = new StringBuilder("| epoch | train loss | hard-label CE | T²·KL | train accuracy"
                + " | validation loss | validation accuracy |" + (segmentation ? " validation mean IoU |" : "")
                + " seconds |\n|---:|---:|---:|---:|---:|---:|---:|" + (segmentation ? "---:|" : "") + "---:|\n");
        for (EpochRecord r : history) {
            String epoch = r.epoch() == keptEpoch ? "**" + r.epoch() + "**" : String.valueOf(r.epoch());
            s.append("| ").append(epoch).append(" | ").append(f(r.trainLoss())).append(" | ")
                    .append(f(r.trainHardLoss())).append(" | ").append(f(r.trainSoftLoss())).append(" | ")
                    .append(f(r.trainAccuracy())).append(" | ").append(f(r.validationLoss())).append(" | ")
                    .append(f(r.validationAccuracy())).append(" | ");
            if (segmentation) {
                s.append(f(r.validationMeanIoU())).append(" | ");
            }
            s.append(String.format(Locale.ROOT, "%.1f", r.seconds())).append(" |\n");
        }
        return s.toString();
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.4f", v);
    }
}
