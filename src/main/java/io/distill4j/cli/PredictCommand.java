package io.distill4j.cli;

import io.distill4j.data.Task;
import io.distill4j.deploy.DeployedModel;
import io.distill4j.eval.Metrics;
import io.distill4j.eval.Mosaics;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import org.datavec.image.loader.NativeImageLoader;
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
 * for images or folders of images. Images are resized to the model's input size and scaled with the normalizer
 * stored in the model; masks come out at the model's resolution.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Write coloured prediction masks, or class + probabilities, for images or folders.")
public final class PredictCommand implements Callable<Integer> {

    /** One image's prediction: the class (classification) or the mask file written (segmentation). */
    public record Prediction(Path image, String predictedClass, double[] probabilities, Path mask) {
    }

    @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP")
    Path modelFile;

    @Option(names = "--out", defaultValue = "predictions", paramLabel = "DIR",
            description = "Where masks and predictions.csv go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "IMAGE_OR_FOLDER")
    List<Path> inputs = new ArrayList<>();

    public static List<Prediction> run(String... args) {
        PredictCommand command = new PredictCommand();
        new CommandLine(command).parseArgs(args);
        return command.run();
    }

    public List<Prediction> run() {
        // DL4J zips, compact files (prune, quantize) and .onnx exports
        try (DeployedModel graph = DeployedModel.open(modelFile)) {
            return predict(graph);
        }
    }

    private List<Prediction> predict(DeployedModel graph) {
        Run.ModelInfo classes = graph.entry(Run.ENTRY_MODEL_INFO).map(PredictCommand::modelInfo)
                .orElseThrow(() -> new IllegalArgumentException(modelFile
                        + " carries no model-info entry (not made by distill4j?)"));
        DataNormalization normalizer = graph.normalizer();
        if (normalizer == null) {
            normalizer = new ImagePreProcessingScaler(0, 1);
        }
        NativeImageLoader loader = new NativeImageLoader(classes.height(), classes.width(), classes.channels());
        boolean segmentation = Task.valueOf(classes.task()) == Task.SEGMENTATION;
        List<Prediction> predictions = new ArrayList<>();
        StringBuilder csv = new StringBuilder("image,class," + String.join(",", classes.names()) + "\n");
        for (Path image : images()) {
            INDArray features;
            try {
                features = loader.asMatrix(image.toFile());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read image " + image + ": " + e.getMessage(), e);
            }
            normalizer.transform(features);
            INDArray probabilities = graph.output(features);
            if (segmentation) {
                String name = image.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "-mask.png";
                Path mask = out.resolve(name);
                Mosaics.writeMask(mask, Metrics.predictedClassIds(probabilities).get(
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0)), classes.palette());
                predictions.add(new Prediction(image, null, null, mask));
            } else {
                double[] p = probabilities.getRow(0).toDoubleVector();
                int best = 0;
                for (int c = 1; c < p.length; c++) {
                    best = p[c] > p[best] ? c : best;
                }
                predictions.add(new Prediction(image, classes.names().get(best), p, null));
                csv.append(image).append(',').append(classes.names().get(best));
                for (double v : p) {
                    csv.append(',').append(String.format(Locale.ROOT, "%.6f", v));
                }
                csv.append('\n');
            }
        }
        if (!segmentation) {
            ModelFiles.writeAtomically(out.resolve("predictions.csv"), f -> Files.writeString(f, csv));
        }
        return predictions;
    }

    private List<Path> images() {
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

    @Override
    public Integer call() {
        for (Prediction p : run()) {
            System.out.println(p.mask() != null ? p.image() + " -> " + p.mask()
                    : p.image() + ": " + p.predictedClass());
        }
        return 0;
    }
}
