package io.distill4j.workflows;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.deploy.DeployedModel;
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

    /** The config stored in any model file {@link DeployedModel} opens (zip entry or ONNX metadata). */
    public static RunConfig stored(DeployedModel model, List<String> overrides) {
        String yaml = model.entry(Run.ENTRY_CONFIG).orElseThrow(() -> new IllegalArgumentException(
                model.file() + " carries no config (not made by distill4j?): pass --config"));
        return RunConfigs.fromYaml(yaml, model.file() + "!" + Run.ENTRY_CONFIG, overrides);
    }
}
