package io.distill4j.cli;

import io.distill4j.data.DatasetException;
import io.distill4j.util.AtomicFiles;
import io.distill4j.util.CsvTables;
import io.distill4j.data.Task;
import io.distill4j.deploy.DeployedModel;
import io.distill4j.eval.Mosaics;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.data.ImageInput;
import io.distill4j.eval.TiledSegmentation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code distill4j predict}: coloured prediction masks (segmentation) or class and probabilities (classification)
 * for images or folders of images, scaled with the normalizer stored in the model. Segmentation covers each image at
 * its native scale with overlapping model-sized tiles ({@link TiledSegmentation}), so a mask has its image's size;
 * classification resizes each image to the model's input, as the class-folder reader does. Images are checked as the
 * dataset readers check them (a truncated JPEG is an error); every unreadable image is reported and the others are
 * still predicted, and the command then exits non-zero.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Write coloured prediction masks, or class + probabilities, for images or folders.",
                "Segmentation tiles each image at its native scale (overlapping model-sized patches, blended) and writes"
                        + " a mask of the image's size; classification resizes to the model's input."})
public final class PredictCommand implements Callable<Integer> {

    /** One image's prediction: the class (classification) or the mask file written (segmentation). */
    public record Prediction(Path image, String predictedClass, double[] probabilities, Path mask) {
    }

    /** An image that could not be predicted, and why (the message names the file). */
    public record Failure(Path image, String message) {
    }

    /** Everything predicted, and every image that could not be. */
    public record Result(List<Prediction> predictions, List<Failure> failures) {
    }

    @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP", description = "A model distill4j saved.")
    Path modelFile;

    @Option(names = "--out", defaultValue = "predictions", paramLabel = "DIR",
            description = "Where masks and predictions.csv go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--overlap", defaultValue = "0.25", paramLabel = "FRACTION",
            description = "Segmentation: fraction of a tile shared with its neighbours, in [0, 1) (default: ${DEFAULT-VALUE}).")
    double overlap = 0.25;

    @Parameters(arity = "1..*", paramLabel = "IMAGE_OR_FOLDER", description = "Image files, or folders of them.")
    List<Path> inputs = new ArrayList<>();

    public static Result run(String... args) {
        PredictCommand command = new PredictCommand();
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public Result run() {
        // DL4J zips, compact files (prune, quantize) and .onnx exports
        try (DeployedModel graph = DeployedModel.open(modelFile)) {
            return predict(graph);
        }
    }

    private Result predict(DeployedModel graph) {
        Run.ModelInfo classes = graph.entry(Run.ENTRY_MODEL_INFO).map(PredictCommand::modelInfo)
                .orElseThrow(() -> new IllegalArgumentException(modelFile
                        + " carries no model-info entry (not made by distill4j?)"));
        DataNormalization stored = graph.normalizer();
        DataNormalization normalizer = stored != null ? stored : new ImagePreProcessingScaler(0, 1);
        boolean segmentation = Task.valueOf(classes.task()) == Task.SEGMENTATION;
        TiledSegmentation tiles = segmentation
                ? new TiledSegmentation(graph::output, classes.height(), classes.width(), overlap) : null;
        List<Prediction> predictions = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (Path image : images()) {
            try {
                if (segmentation) {
                    INDArray features = ImageInput.atNativeScale(image, classes.channels());
                    normalizer.transform(features);
                    String name = image.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "-mask.png";
                    Path mask = out.resolve(name);
                    Mosaics.writeMask(mask, tiles.classIds(features), classes.palette());
                    predictions.add(new Prediction(image, null, null, mask));
                } else {
                    INDArray features = ImageInput.resized(image, classes.height(), classes.width(), classes.channels());
                    normalizer.transform(features);
                    double[] p = graph.output(features).getRow(0).toDoubleVector();
                    int best = 0;
                    for (int c = 1; c < p.length; c++) {
                        best = p[c] > p[best] ? c : best;
                    }
                    predictions.add(new Prediction(image, classes.names().get(best), p, null));
                    List<Object> row = new ArrayList<>(List.of(image.toString(), classes.names().get(best)));
                    for (double v : p) {
                        row.add(String.format(Locale.ROOT, "%.6f", v));
                    }
                    rows.add(row);
                }
            } catch (DatasetException e) {
                failures.add(new Failure(image, e.getMessage()));
            }
        }
        if (!segmentation) {
            List<String> header = new ArrayList<>(List.of("image", "class"));
            header.addAll(classes.names());
            AtomicFiles.writeText(out.resolve("predictions.csv"), CsvTables.toCsv(header, rows));
        }
        return new Result(predictions, failures);
    }

    private List<Path> images() {
        List<Path> images = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> files = Files.list(input)) {
                    files.filter(f -> Files.isRegularFile(f) && ImageInput.isImageName(f)).sorted().forEach(images::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + input + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(input)) {
                images.add(input);
            } else {
                throw new IllegalArgumentException("no such image or folder: " + input);
            }
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images found in " + inputs);
        }
        return images;
    }

    private static Run.ModelInfo modelInfo(String json) {
        try {
            return RunFolder.JSON.readValue(json, Run.ModelInfo.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Integer call() {
        Result r = run();
        for (Prediction p : r.predictions()) {
            System.out.println(p.mask() != null ? p.image() + " -> " + p.mask()
                    : p.image() + ": " + p.predictedClass());
        }
        for (Failure f : r.failures()) {
            System.err.println("error: " + f.message());
        }
        if (!r.failures().isEmpty()) {
            System.err.printf("error: %d of %d images could not be read (listed above); the others were predicted%n",
                    r.failures().size(), r.failures().size() + r.predictions().size());
            return 1;
        }
        return 0;
    }
}
