package io.distill4j.workflows;

import io.distill4j.data.DatasetException;
import io.distill4j.data.ImageInput;
import io.distill4j.data.Task;
import io.distill4j.deploy.DeployedModel;
import io.distill4j.eval.Mosaics;
import io.distill4j.eval.TiledSegmentation;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.util.AtomicFiles;
import io.distill4j.util.CsvTables;
import io.distill4j.util.Json;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Coloured prediction masks (segmentation) or class and probabilities (classification, also in
 * {@code predictions.csv}) for images or folders of images, scaled with the normalizer stored in the model; any model
 * form {@link DeployedModel} opens (DL4J zip, compact file, ONNX export). Segmentation covers each image at its native
 * scale with overlapping model-sized tiles ({@link TiledSegmentation}), so a mask has its image's size;
 * classification resizes each image to the model's input, as the class-folder reader does. Images are checked as the
 * dataset readers check them (a truncated JPEG is an error); every unreadable image is reported in the result and the
 * others are still predicted.
 */
public final class Prediction {

    private Prediction() {
    }

    /**
     * @param model   a model distill4j saved (it carries its classes and input size)
     * @param out     where masks and predictions.csv go
     * @param inputs  images, or folders whose images are used in name order
     * @param overlap segmentation: the fraction of a tile shared with its neighbours, in [0, 1)
     */
    public record Options(Path model, Path out, List<Path> inputs, double overlap) {
        public Options {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(out, "out");
            inputs = List.copyOf(inputs);
        }

        /** A quarter of each tile shared with its neighbours. */
        public static Options of(Path model, Path out, List<Path> inputs) {
            return new Options(model, out, inputs, 0.25);
        }
    }

    /** One image's prediction: the class and probabilities (classification) or the mask file written (segmentation). */
    public record ImagePrediction(Path image, String predictedClass, double[] probabilities, Path mask) {
    }

    /** An image that could not be predicted, and why (the message names the file). */
    public record Failure(Path image, String message) {
    }

    /** Everything predicted, and every image that could not be. */
    public record Result(List<ImagePrediction> predictions, List<Failure> failures) {
    }

    public static Result run(Options options) {
        try (DeployedModel model = DeployedModel.open(options.model())) {
            return predict(model, options);
        }
    }

    private static Result predict(DeployedModel model, Options options) {
        Run.ModelInfo classes = model.entry(Run.ENTRY_MODEL_INFO).map(Prediction::modelInfo)
                .orElseThrow(() -> new IllegalArgumentException(options.model()
                        + " carries no model-info entry (not made by distill4j?)"));
        DataNormalization stored = model.normalizer();
        DataNormalization normalizer = stored != null ? stored : new ImagePreProcessingScaler(0, 1);
        boolean segmentation = Task.valueOf(classes.task()) == Task.SEGMENTATION;
        TiledSegmentation tiles = segmentation
                ? new TiledSegmentation(model::output, classes.height(), classes.width(), options.overlap()) : null;
        List<ImagePrediction> predictions = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (Path image : images(options.inputs())) {
            try {
                if (segmentation) {
                    INDArray features = ImageInput.atNativeScale(image, classes.channels());
                    normalizer.transform(features);
                    String name = image.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "-mask.png";
                    Path mask = options.out().resolve(name);
                    Mosaics.writeMask(mask, tiles.classIds(features), classes.palette());
                    predictions.add(new ImagePrediction(image, null, null, mask));
                } else {
                    INDArray features = ImageInput.resized(image, classes.height(), classes.width(), classes.channels());
                    normalizer.transform(features);
                    double[] p = model.output(features).getRow(0).toDoubleVector();
                    int best = 0;
                    for (int c = 1; c < p.length; c++) {
                        best = p[c] > p[best] ? c : best;
                    }
                    predictions.add(new ImagePrediction(image, classes.names().get(best), p, null));
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
            AtomicFiles.writeText(options.out().resolve("predictions.csv"), CsvTables.toCsv(header, rows));
        }
        return new Result(predictions, failures);
    }

    private static List<Path> images(List<Path> inputs) {
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
            return Json.MAPPER.readValue(json, Run.ModelInfo.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
