package io.distill4j.workflows;

import io.distill4j.data.Task;
import io.distill4j.eval.Metrics;
import io.distill4j.eval.Mosaics;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.util.AtomicFiles;
import io.distill4j.util.CsvTables;
import org.datavec.image.loader.NativeImageLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
 * {@code predictions.csv}) for images or folders of images. Images are resized to the model's input size and scaled
 * with the normalizer stored in the model; masks come out at the model's resolution.
 */
public final class Prediction {

    private Prediction() {
    }

    /**
     * @param model  a model zip distill4j saved (it carries its classes and input size)
     * @param out    where masks and predictions.csv go
     * @param inputs images, or folders whose images (png, jpg, bmp, gif, tiff) are used in name order
     */
    public record Options(Path model, Path out, List<Path> inputs) {
        public Options {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(out, "out");
            inputs = List.copyOf(inputs);
        }
    }

    /** One image's prediction: the class and probabilities (classification) or the mask file written (segmentation). */
    public record ImagePrediction(Path image, String predictedClass, double[] probabilities, Path mask) {
    }

    public static List<ImagePrediction> run(Options options) {
        Path modelFile = options.model();
        ComputationGraph graph = ModelFiles.load(modelFile);
        Run.ModelInfo classes = ModelFiles.readEntry(modelFile, Run.ENTRY_MODEL_INFO).map(Prediction::modelInfo)
                .orElseThrow(() -> new IllegalArgumentException(modelFile
                        + " carries no model-info entry (not made by distill4j?)"));
        DataNormalization normalizer = ModelFiles.loadNormalizer(modelFile);
        if (normalizer == null) {
            normalizer = new ImagePreProcessingScaler(0, 1);
        }
        NativeImageLoader loader = new NativeImageLoader(classes.height(), classes.width(), classes.channels());
        boolean segmentation = Task.valueOf(classes.task()) == Task.SEGMENTATION;
        List<ImagePrediction> predictions = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (Path image : images(options.inputs())) {
            INDArray features;
            try {
                features = loader.asMatrix(image.toFile());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read image " + image + ": " + e.getMessage(), e);
            }
            normalizer.transform(features);
            INDArray probabilities = graph.outputSingle(features);
            if (segmentation) {
                String name = image.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "-mask.png";
                Path mask = options.out().resolve(name);
                Mosaics.writeMask(mask, Metrics.predictedClassIds(probabilities).get(NDArrayIndex.point(0)),
                        classes.palette());
                predictions.add(new ImagePrediction(image, null, null, mask));
            } else {
                double[] p = probabilities.getRow(0).toDoubleVector();
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
        }
        if (!segmentation) {
            List<String> header = new ArrayList<>(List.of("image", "class"));
            header.addAll(classes.names());
            AtomicFiles.writeText(options.out().resolve("predictions.csv"), CsvTables.toCsv(header, rows));
        }
        return predictions;
    }

    private static List<Path> images(List<Path> inputs) {
        List<Path> images = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> files = Files.list(input)) {
                    files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT)
                            .matches(".*\\.(png|jpe?g|bmp|gif|tiff?)")).sorted().forEach(images::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + input, e);
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
}
