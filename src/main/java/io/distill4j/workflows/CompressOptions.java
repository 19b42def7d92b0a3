package io.distill4j.workflows;

import io.distill4j.config.RunConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link Pruning} and {@link Quantization} take.
 *
 * @param model  a model zip distill4j saved (only read)
 * @param config the run config, whose {@code compress} section chooses the method and its settings; null = the config
 *               stored in the model
 * @param out    where to write the compressed model; null = {@code <modelsDir>/<model name>-<method>.zip}
 */
public record CompressOptions(Path model, RunConfig config, Path out) {

    public CompressOptions {
        Objects.requireNonNull(model, "model");
    }

    /** The model's own config, the default output path. */
    public static CompressOptions of(Path model) {
        return new CompressOptions(model, null, null);
    }
}
