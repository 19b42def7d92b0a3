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
 * {@code distill4j predict}: the {@link Prediction} of coloured masks (segmentation) or class and probabilities
 * (classification) for images or folders of images.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Write coloured prediction masks, or class + probabilities, for images or folders.")
public final class PredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL_ZIP")
    Path modelFile;

    @Option(names = "--out", defaultValue = "predictions", paramLabel = "DIR",
            description = "Where masks and predictions.csv go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "IMAGE_OR_FOLDER")
    List<Path> inputs = new ArrayList<>();

    @Override
    public Integer call() {
        for (Prediction.ImagePrediction p : Prediction.run(new Prediction.Options(modelFile, out, inputs))) {
            System.out.println(p.mask() != null ? p.image() + " -> " + p.mask()
                    : p.image() + ": " + p.predictedClass());
        }
        return 0;
    }
}
