package io.distill4j.train;

import io.distill4j.util.CsvTables;
import io.distill4j.util.AtomicFiles;
import io.distill4j.data.Split;
import io.distill4j.data.Task;
import io.distill4j.eval.BestAndWorst;
import io.distill4j.eval.ClassPalette;
import io.distill4j.eval.EvaluationResult;
import io.distill4j.eval.Metrics;
import io.distill4j.eval.Mosaics;
import io.distill4j.eval.Plots;
import io.distill4j.model.ModelFiles;
import io.distill4j.util.Json;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run writes about the models it trained: per-epoch metrics (CSV, JSON) and curves, test-split evaluation
 * with confusion matrix and precision-recall curves, prediction mosaics of the best and worst validation samples,
 * and promotion to {@code models/} with a model card.
 */
public final class Reports {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Reports.class);

    private Reports() {
    }

    /** {@code <name>.metrics.csv}, {@code <name>.metrics.json}, {@code plots/<name>-loss.png}, {@code -score.png}. */
    public static void history(RunFolder folder, TrainedModel model, Task task) {
        List<EpochRecord> h = model.history();
        folder.writeText(model.name() + ".metrics.csv",
                CsvTables.toCsv(EpochRecord.CSV_HEADER, h.stream().map(EpochRecord::csvRow).toList()));
        folder.writeJson(model.name() + ".metrics.json", h);
        double[] epochs = h.stream().mapToDouble(EpochRecord::epoch).toArray();
        Path plots = folder.folder("plots");
        Map<String, double[]> losses = new LinkedHashMap<>();
        losses.put("train total", h.stream().mapToDouble(EpochRecord::trainLoss).toArray());
        losses.put("train hard-label CE", h.stream().mapToDouble(EpochRecord::trainHardLoss).toArray());
        losses.put("train T²·KL to teacher", h.stream().mapToDouble(EpochRecord::trainSoftLoss).toArray());
        losses.put("validation CE", h.stream().mapToDouble(EpochRecord::validationLoss).toArray());
        Plots.lineChart(plots.resolve(model.name() + "-loss.png"), model.name() + ": loss per epoch", "epoch", "loss",
                losses, epochs);
        Map<String, double[]> scores = new LinkedHashMap<>();
        scores.put("train accuracy", h.stream().mapToDouble(EpochRecord::trainAccuracy).toArray());
        scores.put("validation accuracy", h.stream().mapToDouble(EpochRecord::validationAccuracy).toArray());
        if (task == Task.SEGMENTATION) {
            scores.put("validation mean IoU", h.stream().mapToDouble(EpochRecord::validationMeanIoU).toArray());
        }
        Plots.lineChart(plots.resolve(model.name() + "-score.png"), model.name() + ": "
                + (task == Task.SEGMENTATION ? "accuracy and IoU" : "accuracy") + " per epoch", "epoch", "score",
                scores, epochs);
    }

    /**
     * Evaluates on the test split; writes {@code <name>.test.json}, the confusion matrix and the per-class
     * precision-recall curves (per image, or per pixel for segmentation) with their no-skill lines.
     */
    public static EvaluationResult test(Run run, String name, ComputationGraph graph) {
        EvaluationResult result = run.trainer().evaluateWithCurves(graph, Split.TEST).result();
        run.folder().writeJson(name + ".test.json", result.summary());
        Path plots = run.folder().folder("plots");
        Plots.confusionMatrix(plots.resolve(name + "-confusion.png"), result);
        Plots.precisionRecallCurves(plots.resolve(name + "-precision-recall.png"), result);
        return result;
    }

    /**
     * Mosaics of the {@code k} best and worst validation samples as ranked by the last model: image | ground truth |
     * each model's prediction. Writes {@code predictions/<file>-best.png} and {@code -worst.png}.
     */
    public static List<Path> mosaics(Run run, String file, List<String> names, List<ComputationGraph> models, int k) {
        if (k <= 0) {
            return List.of();
        }
        Metrics metrics = Trainer.metricsFor(run.data());
        boolean segmentation = run.data().task() == Task.SEGMENTATION;
        BestAndWorst<Object> ranking = new BestAndWorst<>(k);
        DataSetIterator iterator = run.data().iterator(Split.VALIDATION, run.config().training.batchSize, false);
        int maxBatches = run.config().training.maxEvalBatches;
        for (int b = 0; iterator.hasNext() && (maxBatches <= 0 || b < maxBatches); b++) {
            DataSet batch = iterator.next();
            List<INDArray> outputs = new ArrayList<>();
            for (ComputationGraph m : models) {
                outputs.add(m.output(false, batch.getFeatures())[0]);
            }
            double[] scores = metrics.sampleScores(outputs.get(outputs.size() - 1), batch.getLabels());
            INDArray truth = Metrics.classIds(batch.getLabels());
            for (int i = 0; i < scores.length; i++) {
                int row = i;
                INDArray image = batch.getFeatures().get(NDArrayIndex.point(row)).dup();
                ranking.offer(scores[i], () -> segmentation
                        ? new Mosaics.SegmentationRow("", image, masks(truth, outputs, row))
                        : new Mosaics.ClassificationRow("", image, (int) truth.getDouble(row),
                        outputs.stream().map(o -> o.get(NDArrayIndex.point(row)).dup()).toList()));
            }
        }
        Path dir = run.folder().folder("predictions");
        Path bestPng = dir.resolve(file + "-best.png");
        Path worstPng = dir.resolve(file + "-worst.png");
        // the rows are ranked by the last model's score: the caption says whose it is
        String scoreName = names.get(names.size() - 1) + (segmentation ? " IoU" : " p(true)");
        writeMosaic(run, bestPng, names, ranking.best(), "best", scoreName);
        writeMosaic(run, worstPng, names, ranking.worst(), "worst", scoreName);
        return List.of(bestPng, worstPng);
    }

    private static List<INDArray> masks(INDArray truth, List<INDArray> outputs, int row) {
        List<INDArray> masks = new ArrayList<>();
        masks.add(truth.get(NDArrayIndex.point(row)).dup());
        for (INDArray o : outputs) {
            masks.add(Metrics.predictedClassIds(o.get(NDArrayIndex.interval(row, row + 1))).get(NDArrayIndex.point(0))
                    .dup());
        }
        return masks;
    }

    private static void writeMosaic(Run run, Path png, List<String> names, List<BestAndWorst.Scored<Object>> rows,
                                    String which, String scoreName) {
        int scale = Mosaics.defaultScale(run.data().height(), run.data().width());
        if (run.data().task() == Task.SEGMENTATION) {
            List<Mosaics.SegmentationRow> captioned = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Mosaics.SegmentationRow r = (Mosaics.SegmentationRow) rows.get(i).sample();
                captioned.add(new Mosaics.SegmentationRow(caption(run, which, i, rows.get(i), scoreName), r.image(), r.masks()));
            }
            List<String> titles = new ArrayList<>();
            titles.add("ground truth");
            titles.addAll(names);
            Mosaics.writeSegmentation(png, titles, captioned, ClassPalette.of(run.data()), scale);
        } else {
            List<Mosaics.ClassificationRow> captioned = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Mosaics.ClassificationRow r = (Mosaics.ClassificationRow) rows.get(i).sample();
                captioned.add(new Mosaics.ClassificationRow(caption(run, which, i, rows.get(i), scoreName), r.image(),
                        r.trueClass(), r.probabilities()));
            }
            Mosaics.writeClassification(png, names, captioned, run.data().classNames(), scale);
        }
    }

    /**
     * E.g. "worst 2, student IoU 0.132: forest/1234.jpg", or for generated data "... : validation sample 17"; the
     * sample comes last, so a caption too long for its row loses the end of a path, not the score.
     */
    private static String caption(Run run, String which, int rank, BestAndWorst.Scored<Object> scored,
                                  String scoreName) {
        String sample = run.data().sampleName(Split.VALIDATION, (int) scored.index())
                .orElse("validation sample " + scored.index());
        return String.format(java.util.Locale.ROOT, "%s %d, %s %.3f: %s", which, rank + 1, scoreName, scored.score(),
                sample);
    }

    /**
     * Copies a run's model to {@code <modelsDir>/<run name>-<role>.zip} (atomically) with a model card beside it:
     * {@code .card.json} and {@code .card.md}. The role says what the model is ({@link PromotedRole}); replacing a
     * promoted model is logged as a warning naming the run that made the old one.
     */
    public static Path promote(Run run, TrainedModel model, PromotedRole role, EvaluationResult test) {
        Path modelsDir = Path.of(run.config().output.modelsDir);
        String base = run.config().name + "-" + role.fileSuffix();
        Path target = modelsDir.resolve(base + ".zip");
        if (Files.exists(target)) {
            log.warn("{} replaces the model promoted there earlier ({}); its card is replaced too", target,
                    promotedBy(modelsDir.resolve(base + ".card.json")));
        }
        AtomicFiles.write(target, f -> Files.copy(model.modelFile(), f, StandardCopyOption.REPLACE_EXISTING));
        long bytes;
        try {
            bytes = Files.size(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ModelCard card = new ModelCard(base, role.fileSuffix(), model.graph().numParams(), bytes, run.data().name(),
                run.data().fingerprint(), run.folder().dir().toString(), model.best().epoch(), model.history().size(),
                test.summary(), run.provenance(), io.distill4j.config.RunConfigs.toYaml(run.config()));
        RunFolder.writeJsonFile(modelsDir.resolve(base + ".card.json"), card);
        AtomicFiles.write(modelsDir.resolve(base + ".card.md"),
                f -> Files.writeString(f, card.toMarkdown()));
        return target;
    }

    /** Which run made the model a card describes, for the replacement warning. */
    private static String promotedBy(Path card) {
        try {
            com.fasterxml.jackson.databind.JsonNode run = Json.MAPPER.readTree(card.toFile()).get("runFolder");
            return run == null ? "no run recorded" : "by run " + run.asText();
        } catch (IOException e) {
            return "its card " + card + " is unreadable";
        }
    }
}
