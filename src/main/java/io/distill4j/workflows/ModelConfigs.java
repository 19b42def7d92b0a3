package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.Run;

import java.nio.file.Path;
import java.util.List;

/** The run config that goes with a saved model: the one stored inside it, or a config file. */
public final class ModelConfigs {

    private ModelConfigs() {
    }

    /** The config saved inside a distill4j model zip, with {@code --set}-style overrides applied. */
    public static RunConfig stored(Path modelFile, List<String> overrides) {
        String yaml = ModelFiles.readEntry(modelFile, Run.ENTRY_CONFIG).orElseThrow(() -> new IllegalArgumentException(
                modelFile + " carries no config (not made by distill4j?): pass --config"));
        return RunConfigs.fromYaml(yaml, modelFile + "!" + Run.ENTRY_CONFIG, overrides);
    }

    /** {@code configFile} if given, else the config stored in the model; then the overrides. */
    public static RunConfig of(Path modelFile, Path configFile, List<String> overrides) {
        return configFile != null ? RunConfigs.load(configFile, overrides) : stored(modelFile, overrides);
    }
}
