package io.distill4j.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.distill4j.data.DatasetSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads, overrides, validates and writes {@link RunConfig}s. Overrides are {@code path.to.key=value} strings whose
 * value is read as YAML, so {@code training.epochs=3}, {@code student.filters=[2,4,8]} and
 * {@code data.type=fashion-mnist} all work; a path that does not exist is an error like an unknown key in the file.
 */
public final class RunConfigs {

    /** The built-in default: synthetic land cover, no files needed. Shipped as configs/landcover.yaml. */
    public static final String DEFAULT_RESOURCE = "/configs/landcover.yaml";

    private static final ObjectMapper YAML = io.distill4j.util.Yaml.MAPPER;

    private RunConfigs() {
    }

    /** Loads a YAML file (or the built-in default when {@code file} is null) and applies the overrides. */
    public static RunConfig load(Path file, List<String> overrides) {
        String source = file == null ? "built-in " + DEFAULT_RESOURCE : file.toString();
        String text;
        try {
            if (file == null) {
                try (InputStream in = RunConfigs.class.getResourceAsStream(DEFAULT_RESOURCE)) {
                    if (in == null) {
                        throw new ConfigException("missing built-in config " + DEFAULT_RESOURCE);
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } else {
                if (!Files.isRegularFile(file)) {
                    throw new ConfigException("config file not found: " + file);
                }
                text = Files.readString(file, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + source + ": " + e.getMessage(), e);
        }
        return fromYaml(text, source, overrides);
    }

    /** Parses YAML text (e.g. a run folder's or a model's config.yaml) and applies the overrides. */
    public static RunConfig fromYaml(String yaml, String source, List<String> overrides) {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = YAML.createObjectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(source + ": expected a mapping of keys at the top level");
        }
        for (String override : overrides == null ? List.<String>of() : overrides) {
            applyOverride((ObjectNode) tree, override);
        }
        return validate(bind(tree, source), source);
    }

    public static RunConfig fromYaml(String yaml, String source) {
        return fromYaml(yaml, source, List.of());
    }

    public static String toYaml(RunConfig config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as YAML", e);
        }
    }

    /** A YAML list of distillation terms (e.g. {@code [{type: kd, alpha: 1}, {type: cwd, weight: 3}]}). */
    public static List<io.distill4j.loss.DistillationTerm> parseTerms(String yaml, String source) {
        try {
            return YAML.readValue(yaml, new com.fasterxml.jackson.core.type.TypeReference<
                    List<io.distill4j.loss.DistillationTerm>>() {
            });
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException(source + ": " + (cause instanceof IllegalArgumentException ? cause.getMessage()
                    : e.getOriginalMessage()) + " (terms: " + String.join(", ", io.distill4j.loss.DistillationTerm.TYPES)
                    + ")", e);
        }
    }

    /** A deep copy (configs are mutable; sweeps and demos derive variants from one). */
    public static RunConfig copy(RunConfig config) {
        return fromYaml(toYaml(config), "copy of " + config.name);
    }

    private static void applyOverride(ObjectNode root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("override '" + override + "' must look like path.to.key=value");
        }
        String path = override.substring(0, eq).trim();
        String text = override.substring(eq + 1);
        JsonNode value;
        try {
            value = YAML.readTree(text.isEmpty() ? "\"\"" : text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("override " + path + ": value '" + text + "' is not valid YAML", e);
        }
        String[] keys = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode child = node.get(keys[i]);
            if (child == null || child.isNull()) {
                child = node.putObject(keys[i]);
            } else if (!child.isObject()) {
                throw new ConfigException("override " + path + ": '" + keys[i] + "' is not a section");
            }
            node = (ObjectNode) child;
        }
        node.set(keys[keys.length - 1], value == null || value.isMissingNode() ? YAML.nullNode() : value);
    }

    private static RunConfig bind(JsonNode tree, String source) {
        try {
            return YAML.treeToValue(tree, RunConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : " (known keys: " + e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")";
            throw new ConfigException(source + ": unknown key '" + path(e) + "'" + known, e);
        } catch (InvalidTypeIdException e) {
            if (e.getBaseType() != null && e.getBaseType().getRawClass() == DatasetSpec.class) {
                throw new ConfigException(source + ": " + DatasetSpec.unknownType(e.getTypeId()), e);
            }
            throw new ConfigException(source + ": invalid value for '" + path(e) + "': " + e.getOriginalMessage(), e);
        } catch (InvalidFormatException e) {
            if (e.getTargetType() != null && e.getTargetType().isEnum()) {
                throw new ConfigException(source + ": " + path(e) + " = " + e.getValue() + " is invalid: expected one of "
                        + choices(e.getTargetType()), e);
            }
            throw new ConfigException(source + ": invalid value for '" + path(e) + "': " + e.getOriginalMessage(), e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
                // e.g. DatasetSpec rejecting an unknown key itself
                throw new ConfigException(source + ": " + cause.getMessage() + " at '" + path(e) + "'", e);
            }
            throw new ConfigException(source + ": invalid value for '" + path(e) + "': " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        }
    }

    /** An enum's values as they are written in a config: "adam, sgd, nesterovs". */
    public static String choices(Class<?> enumType) {
        return java.util.Arrays.stream(enumType.getEnumConstants()).map(Object::toString)
                .collect(Collectors.joining(", "));
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** Checks values Jackson cannot: ranges and choices. Returns the config. */
    public static RunConfig validate(RunConfig c, String source) {
        require(c.name != null && c.name.matches("[A-Za-z0-9._-]+"), source, "name", c.name,
                "letters, digits, '.', '_' or '-'");
        require(c.data != null, source, "data", null, "a data section");
        try {
            c.data.validate();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": data: " + e.getMessage(), e);
        }
        network(c.teacher, "teacher", source, c.data.task());
        network(c.student, "student", source, c.data.task());
        segmentationSizes(c, source);
        require(c.distillation.alpha >= 0 && c.distillation.alpha <= 1, source, "distillation.alpha",
                c.distillation.alpha, "a value in [0, 1]");
        require(c.distillation.temperature > 0, source, "distillation.temperature", c.distillation.temperature,
                "a value > 0");
        chosen(c.optimizer.type, OptimizerType.class, "optimizer.type", source);
        chosen(c.training.dtype, Dtype.class, "training.dtype", source);
        require(c.optimizer.learningRate > 0, source, "optimizer.learningRate", c.optimizer.learningRate, "a value > 0");
        require(c.training.epochs >= 1, source, "training.epochs", c.training.epochs, "at least 1");
        require(c.training.batchSize >= 1, source, "training.batchSize", c.training.batchSize, "at least 1");
        require(c.training.maxBatches >= 0, source, "training.maxBatches", c.training.maxBatches, ">= 0");
        require(c.training.workers >= 1, source, "training.workers", c.training.workers,
                "at least 1 (1 trains without data parallelism; N > 1 runs N replicas through ParallelWrapper)");
        require(c.training.maxEvalBatches >= 0, source, "training.maxEvalBatches", c.training.maxEvalBatches, ">= 0");
        require(c.training.earlyStopping.patience >= 0, source, "training.earlyStopping.patience",
                c.training.earlyStopping.patience, ">= 0");
        require(c.output.mosaics >= 0, source, "output.mosaics", c.output.mosaics, ">= 0");
        tune(c.tune, source);
        search(c.search, source);
        RunConfig.CompressConfig z = c.compress;
        require(z != null, source, "compress", null, "a compress section");
        chosen(z.prune, PruneMethod.class, "compress.prune", source);
        chosen(z.scope, PruneScope.class, "compress.scope", source);
        chosen(z.quantize, QuantizeMode.class, "compress.quantize", source);
        require(z.sparsity >= 0 && z.sparsity < 1, source, "compress.sparsity", z.sparsity, "a value in [0, 1)");
        z.layerSparsity.forEach((k, v) -> require(v != null && v >= 0 && v < 1, source, "compress.layerSparsity." + k,
                v, "a value in [0, 1)"));
        require(z.steps >= 1, source, "compress.steps", z.steps, "at least 1");
        require(z.ratio >= 0 && z.ratio < 1, source, "compress.ratio", z.ratio, "a value in [0, 1)");
        require(z.epochs >= 0, source, "compress.epochs", z.epochs, ">= 0");
        require(z.rounds >= 1, source, "compress.rounds", z.rounds, "at least 1");
        require(z.rewindEpoch >= 0, source, "compress.rewindEpoch", z.rewindEpoch, ">= 0 (0 = the initialisation)");
        require(z.roundEpochs == null || z.roundEpochs >= 1, source, "compress.roundEpochs", z.roundEpochs,
                "at least 1");
        require(z.calibrationBatches >= 1, source, "compress.calibrationBatches", z.calibrationBatches, "at least 1");
        return c;
    }

    private static void tune(RunConfig.TuneConfig t, String source) {
        require(t != null, source, "tune", null, "a tune section");
        chosen(t.generator, SweepGenerator.class, "tune.generator", source);
        require(t.maxCandidates >= 1, source, "tune.maxCandidates", t.maxCandidates, "at least 1");
        require(t.maxMinutes >= 0, source, "tune.maxMinutes", t.maxMinutes, ">= 0 (0 = no limit)");
        require(t.gridPoints >= 2, source, "tune.gridPoints", t.gridPoints, "at least 2");
        // Arbiter culls a third of the population and then needs two distinct parents; below 4 it can spin forever
        require(t.populationSize >= 4, source, "tune.populationSize", t.populationSize, "at least 4");
        range(t.alpha, "tune.alpha", 0, 1, source);
        range(t.temperature, "tune.temperature", Double.MIN_VALUE, Double.MAX_VALUE, source);
        if (t.learningRate != null) {
            range(t.learningRate, "tune.learningRate", Double.MIN_VALUE, 10, source);
        }
        if (t.epochs != null) {
            range(t.epochs, "tune.epochs", 1, 10_000, source);
            require(t.epochs.fixed() ? t.epochs.value == Math.rint(t.epochs.value)
                    : t.epochs.min == Math.rint(t.epochs.min) && t.epochs.max == Math.rint(t.epochs.max), source,
                    "tune.epochs", t.epochs.fixed() ? t.epochs.value : t.epochs.min + ".." + t.epochs.max, "whole numbers");
        }
    }

    /** A range inside [lowest, highest]: either a fixed value or min <= max (both > 0 on a log scale). */
    private static void range(RunConfig.Range r, String key, double lowest, double highest, String source) {
        require(r != null, source, key, null, "min/max or value");
        if (r.fixed()) {
            require(r.value >= lowest && r.value <= highest, source, key + ".value", r.value,
                    "a value in [" + lowest + ", " + highest + "]");
            return;
        }
        require(r.min != null && r.max != null, source, key, "min=" + r.min + ", max=" + r.max, "both min and max, or value");
        require(r.min >= lowest && r.max <= highest && r.min <= r.max, source, key, "[" + r.min + ", " + r.max + "]",
                "min <= max within [" + lowest + ", " + highest + "]");
        require(!r.log || r.min > 0, source, key + ".min", r.min, "a value > 0 on a log scale");
    }

    private static void search(RunConfig.SearchConfig s, String source) {
        require(s != null, source, "search", null, "a search section");
        require(s.strategy != null, source, "search.strategy", null, "reinforce or random");
        require(s.rollouts >= 1, source, "search.rollouts", s.rollouts, "at least 1 rollout per policy update");
        require(s.removalIterations >= 0, source, "search.removalIterations", s.removalIterations, ">= 0");
        require(s.shrinkageIterations >= 0, source, "search.shrinkageIterations", s.shrinkageIterations, ">= 0");
        require(s.removalIterations + s.shrinkageIterations >= 1, source, "search.removalIterations",
                s.removalIterations + " (and shrinkageIterations " + s.shrinkageIterations + ")",
                "at least one iteration in all");
        require(s.candidateEpochs >= 1, source, "search.candidateEpochs", s.candidateEpochs, "at least 1");
        require(s.widths != null && !s.widths.isEmpty(), source, "search.widths", s.widths,
                "a non-empty list of width fractions in (0, 1]");
        require(s.widths.stream().allMatch(w -> w != null && w > 0 && w <= 1), source, "search.widths", s.widths,
                "width fractions in (0, 1]");
        require(s.baselineWindow >= 1, source, "search.baselineWindow", s.baselineWindow, "at least 1");
        require(s.policyLearningRate > 0, source, "search.policyLearningRate", s.policyLearningRate, "a value > 0");
        require(s.policyUnits >= 1, source, "search.policyUnits", s.policyUnits, "at least 1");
        require(s.maxParams == null || s.maxParams >= 1, source, "search.maxParams", s.maxParams, "at least 1");
        require(s.maxMsPerImage == null || s.maxMsPerImage > 0, source, "search.maxMsPerImage", s.maxMsPerImage, "> 0");
        require(s.maxFileBytes == null || s.maxFileBytes >= 1, source, "search.maxFileBytes", s.maxFileBytes, "at least 1");
        require(s.finalEpochs == null || s.finalEpochs >= 0, source, "search.finalEpochs", s.finalEpochs, ">= 0");
    }

    /**
     * A segmentation U-Net of L levels pools L − 1 times and upsamples back, so its input sides must be multiples of
     * 2^(L − 1) (16 for the usual 5 levels): checked here, before any data is read, rather than as a shape error deep
     * in the first forward pass. Classification heads pool to a vector and take any size.
     */
    private static void segmentationSizes(RunConfig c, String source) {
        if (c.data.task() != io.distill4j.data.Task.SEGMENTATION) {
            return;
        }
        int levels = Math.max(c.teacher.filters.size(), c.student.filters.size());
        int factor = 1 << (levels - 1);
        c.data.givenSides().forEach((key, side) -> require(side == null || side % factor == 0, source, "data." + key, side,
                "a multiple of " + factor + " (the " + levels + "-level U-Net pools " + (levels - 1) + " times), e.g. "
                        + Math.max(factor, side == null ? factor : side / factor * factor) + " or "
                        + (side == null ? 2 * factor : (side / factor + 1) * factor)));
    }

    private static void network(RunConfig.NetworkConfig n, String key, String source,
                                io.distill4j.data.Task task) {
        if (n != null && n.resnet != null) {
            require(n.filters == null, source, key + ".filters", n.filters, "no filters next to " + key
                    + ".resnet (a ResNet's widths are resnet.width and resnet.widths): remove it, or --set "
                    + key + ".filters=null");
            require(n.encoderDropout == null && n.decoderDropout == null && n.architecture == null, source,
                    key + ".resnet", n.resnet.describe(), "no U-Net settings (encoderDropout, decoderDropout,"
                            + " architecture) next to it");
            require(task == io.distill4j.data.Task.CLASSIFICATION, source, key + ".resnet", n.resnet.describe(),
                    "classification data: a ResNet classifies, the data is " + task.name().toLowerCase(
                            java.util.Locale.ROOT) + " (use filters for a U-Net)");
            require(n.epochs == null || n.epochs >= 1, source, key + ".epochs", n.epochs, "at least 1");
            return;
        }
        if (n != null && n.architecture != null) {
            if (n.filters == null) {
                n.filters = n.architecture.encoderWidths();
            }
            require(n.filters.equals(n.architecture.encoderWidths()), source, key + ".filters", n.filters,
                    "each level's conv1 width of " + key + ".architecture " + n.architecture.encoderWidths()
                            + " (or no filters)");
            require(n.encoderDropout == null && n.decoderDropout == null, source, key + ".encoderDropout",
                    n.encoderDropout, "no dropout lists next to an architecture (its blocks have their own rates)");
        }
        require(n != null && n.filters != null && !n.filters.isEmpty(), source, key + ".filters",
                n == null ? null : n.filters, "a non-empty list of filter counts");
        require(n.filters.stream().allMatch(f -> f != null && f >= 1), source, key + ".filters", n.filters,
                "positive filter counts");
        require(n.encoderDropout == null || n.encoderDropout.size() == n.filters.size(), source,
                key + ".encoderDropout", n.encoderDropout, "one rate per filter entry (" + n.filters.size() + ")");
        require(n.decoderDropout == null || n.decoderDropout.size() == n.filters.size() - 1, source,
                key + ".decoderDropout", n.decoderDropout, "one rate per decoder block (" + (n.filters.size() - 1) + ")");
        require(n.epochs == null || n.epochs >= 1, source, key + ".epochs", n.epochs, "at least 1");
    }

    /** A choice must be made: Jackson checks the value, a null (e.g. {@code --set optimizer.type=null}) is left. */
    private static void chosen(Enum<?> value, Class<? extends Enum<?>> type, String key, String source) {
        require(value != null, source, key, null, "one of " + choices(type));
    }

    private static void require(boolean ok, String source, String key, Object value, String expected) {
        if (!ok) {
            throw new ConfigException(source + ": " + key + " = " + value + " is invalid: expected " + expected);
        }
    }
}
