package io.distill4j.cli;

import io.distill4j.workflows.Prediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code distill4j predict}: the {@link Prediction} of coloured masks (segmentation, tiled at each image's native
 * scale) or class and probabilities (classification) for images or folders of images. Every unreadable image is
 * reported, the others are still predicted, and the command then exits non-zero.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Write coloured prediction masks, or class + probabilities, for images or folders.",
                "Segmentation tiles each image at its native scale (overlapping model-sized patches, blended) and writes"
                        + " a mask of the image's size; classification resizes to the model's input."})
public final class PredictCommand implements Callable<Integer> {

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

    @Override
    public Integer call() {
        Prediction.Result r = Prediction.run(new Prediction.Options(modelFile, out, inputs, overlap));
        for (Prediction.ImagePrediction p : r.predictions()) {
            System.out.println(p.mask() != null ? p.image() + " -> " + p.mask()
                    : p.image() + ": " + p.predictedClass());
        }
        for (Prediction.Failure f : r.failures()) {
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
