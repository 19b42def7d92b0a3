package io.distill4j.data;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Names a dataset by {@link #type} plus its options, exactly as it appears under {@code data:} in a run YAML.
 *
 * <p>Options left out ({@code null}) take the type's default; an option that does not apply to the chosen type is an
 * error rather than silently ignored, so a misplaced {@code patchSize} cannot go unnoticed. Unknown keys are an error
 * naming the key, whatever the {@link ObjectMapper} configuration (see {@link #rejectUnknown}).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetSpec {

    /** Built-in synthetic land-cover segmentation tiles; the default that needs no files. */
    public static final String LANDCOVER = "landcover";
    /** Fashion-MNIST items pasted on canvases, with masks derived from the items' pixels. */
    public static final String FASHION_MNIST_SCENES = "fashion-mnist-scenes";
    /** The aerial-imagery seed layout: {@code Tile N/images/*.jpg} and {@code Tile N/masks/*.png}. */
    public static final String AERIAL = "aerial";
    /** A root with {@code images/} and {@code masks/} of matching base names. */
    public static final String IMAGE_MASK_FOLDERS = "image-mask-folders";
    /** Classification from one folder per class (the Intel image classification layout, or any such root). */
    public static final String IMAGE_FOLDERS = "image-folders";
    /** Fashion-MNIST classification from IDX files. */
    public static final String FASHION_MNIST = "fashion-mnist";
    /** Synthetic land-cover patches labelled by their majority class. */
    public static final String LANDCOVER_PATCHES = "landcover-patches";

    /** All types, in documentation order. */
    public static final List<String> TYPES = List.of(LANDCOVER, FASHION_MNIST_SCENES, AERIAL, IMAGE_MASK_FOLDERS,
            IMAGE_FOLDERS, FASHION_MNIST, LANDCOVER_PATCHES);

    /** Where the Debian package {@code dataset-fashion-mnist} puts the IDX files. */
    public static final String DEFAULT_FASHION_MNIST_PATH = "/usr/share/datasets/fashion-mnist";

    /** One entry of an RGB colour map: a class name and its mask colour {@code #RRGGBB}. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class ClassColor {
        public String name;
        public String color;

        public ClassColor() {
        }

        public ClassColor(String name, String color) {
            this.name = name;
            this.color = color;
        }

        @JsonAnySetter
        void rejectUnknown(String key, Object value) {
            throw new IllegalArgumentException("unknown key '" + key + "' in a colorMap entry (known keys: name, color)");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClassColor c && Objects.equals(name, c.name) && Objects.equals(color, c.color);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, color);
        }
    }

    /** Dataset type, one of {@link #TYPES}; default {@value #LANDCOVER}. */
    public String type = LANDCOVER;
    /** Seed for generation, splits, shuffling and augmentation; default 42. */
    public Long seed;
    /** Sample height in pixels (synthetic sets, scenes, image folders); default 64. */
    public Integer height;
    /** Sample width in pixels (synthetic sets, scenes, image folders); default 64. */
    public Integer width;
    /** Patch side P for aerial / image-mask folders: images are cropped to a multiple of P and cut into P×P; default 256. */
    public Integer patchSize;
    /** Fraction of samples (or source images) for validation; default 0.1. */
    public Double validationFraction;
    /** Fraction of samples (or source images) for test, where the source has no test set of its own; default 0.1. */
    public Double testFraction;
    /** Number of samples to generate (synthetic sets, scenes) or to use at most (fashion-mnist training pool). */
    public Integer samples;
    /** Random flips and 90° rotations on TRAIN, identical for image and mask; default false. */
    public Boolean augment;
    /** Root folder of the data (folder types) or folder of the IDX files (Fashion-MNIST types). */
    public String path;
    /** RGB mask colours in class-id order (aerial: the seed's six classes by default). */
    public List<ClassColor> colorMap;
    /** Largest per-channel difference at which a mask colour still matches a colour-map entry; default 8. */
    public Integer colorTolerance;
    /** Class names of id-valued masks (image-mask folders without a colour map). */
    public List<String> classNames;
    /** Name of the class the loss ignores (e.g. {@code Unlabeled}); exclusive with {@link #ignoreIndex}. */
    public String ignoreClass;
    /** Class id the loss ignores; exclusive with {@link #ignoreClass}. */
    public Integer ignoreIndex;
    /** Fashion-MNIST scenes: most items per canvas (at least one); default 4. */
    public Integer maxItems;
    /** Fashion-MNIST scenes: item pixels above this fraction of white get the item's class; default 0.2. */
    public Double itemThreshold;
    /**
     * Label-scarce distillation: only this many training examples keep their labels (the teacher and a scratch
     * student train on them alone); the rest are a transfer set for the teacher terms ({@link LabelledSubset}).
     */
    public Integer labelled;

    public DatasetSpec() {
    }

    /** A spec of the given type with every option at its default. */
    public static DatasetSpec of(String type) {
        DatasetSpec spec = new DatasetSpec();
        spec.type = type;
        return spec;
    }

    @JsonAnySetter
    void rejectUnknown(String key, Object value) {
        // An any-setter fails even where the mapper was configured to ignore unknown properties.
        throw new IllegalArgumentException("unknown key '" + key + "' in data (known keys: "
                + String.join(", ", optionNames()) + ")");
    }

    /** Every option name this class binds, in declaration order. */
    public static List<String> optionNames() {
        return List.of("type", "seed", "height", "width", "patchSize", "validationFraction", "testFraction", "samples",
                "augment", "path", "colorMap", "colorTolerance", "classNames", "ignoreClass", "ignoreIndex",
                "maxItems", "itemThreshold", "labelled");
    }

    /** The options that were given (non-null), by name; {@code type} is left out. */
    public Map<String, Object> givenOptions() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("seed", seed);
        given.put("height", height);
        given.put("width", width);
        given.put("patchSize", patchSize);
        given.put("validationFraction", validationFraction);
        given.put("testFraction", testFraction);
        given.put("samples", samples);
        given.put("augment", augment);
        given.put("path", path);
        given.put("colorMap", colorMap);
        given.put("colorTolerance", colorTolerance);
        given.put("classNames", classNames);
        given.put("ignoreClass", ignoreClass);
        given.put("ignoreIndex", ignoreIndex);
        given.put("maxItems", maxItems);
        given.put("itemThreshold", itemThreshold);
        given.put("labelled", labelled);
        given.values().removeIf(Objects::isNull);
        return given;
    }

    private static final Set<String> COMMON = Set.of("seed", "validationFraction", "augment", "ignoreClass", "ignoreIndex",
            "labelled");

    /** The options, besides {@link #COMMON}, that each type reads. */
    private static Set<String> specificOptions(String type) {
        return switch (type) {
            case LANDCOVER, LANDCOVER_PATCHES -> Set.of("height", "width", "samples", "testFraction");
            case FASHION_MNIST_SCENES -> Set.of("height", "width", "samples", "testFraction", "path", "maxItems",
                    "itemThreshold");
            case AERIAL -> Set.of("path", "patchSize", "testFraction", "colorMap", "colorTolerance");
            case IMAGE_MASK_FOLDERS -> Set.of("path", "patchSize", "testFraction", "colorMap", "colorTolerance",
                    "classNames");
            case IMAGE_FOLDERS -> Set.of("path", "height", "width", "testFraction");
            case FASHION_MNIST -> Set.of("path", "samples");
            default -> Set.of();
        };
    }

    /**
     * Checks the type, that every given option applies to it, and every value's range.
     *
     * @throws IllegalArgumentException naming the field and the value
     */
    public DatasetSpec validate() {
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException("data.type: unknown dataset type '" + type + "' (known: "
                    + String.join(", ", TYPES) + ")");
        }
        Set<String> allowed = specificOptions(type);
        for (String option : givenOptions().keySet()) {
            if (!COMMON.contains(option) && !allowed.contains(option)) {
                throw new IllegalArgumentException("data." + option + ": does not apply to type '" + type
                        + "' (its options: " + String.join(", ", sorted(allowed, COMMON)) + ")");
            }
        }
        if (height != null && (height < 8 || height > 4096)) {
            throw invalid("height", height, "must be in [8, 4096]");
        }
        if (width != null && (width < 8 || width > 4096)) {
            throw invalid("width", width, "must be in [8, 4096]");
        }
        if (patchSize != null && (patchSize < 8 || patchSize > 4096)) {
            throw invalid("patchSize", patchSize, "must be in [8, 4096]");
        }
        checkFraction("validationFraction", validationFraction);
        checkFraction("testFraction", testFraction);
        if (validationFraction != null && testFraction != null && validationFraction + testFraction >= 1) {
            throw new IllegalArgumentException("data.validationFraction + data.testFraction: must be < 1, got "
                    + validationFraction + " + " + testFraction);
        }
        if (samples != null && samples < 1) {
            throw invalid("samples", samples, "must be >= 1");
        }
        if (path != null && path.isBlank()) {
            throw invalid("path", "'" + path + "'", "must not be blank");
        }
        if (colorMap != null) {
            if (colorMap.isEmpty()) {
                throw invalid("colorMap", "[]", "must list at least one class");
            }
            for (int i = 0; i < colorMap.size(); i++) {
                ClassColor entry = colorMap.get(i);
                if (entry == null || entry.name == null || entry.name.isBlank()) {
                    throw invalid("colorMap[" + i + "].name", entry == null ? null : entry.name, "must be given");
                }
                ColorMap.parseHex(entry.color, "data.colorMap[" + i + "].color");
            }
        }
        if (colorTolerance != null && (colorTolerance < 0 || colorTolerance > 255)) {
            throw invalid("colorTolerance", colorTolerance, "must be in [0, 255]");
        }
        if (classNames != null && classNames.isEmpty()) {
            throw invalid("classNames", "[]", "must list at least one class");
        }
        if (colorMap != null && classNames != null) {
            throw new IllegalArgumentException("data.classNames: give either colorMap (RGB masks) or classNames "
                    + "(id-valued masks), not both");
        }
        if (ignoreClass != null && ignoreIndex != null) {
            throw new IllegalArgumentException("data.ignoreClass / data.ignoreIndex: give one, not both (got '"
                    + ignoreClass + "' and " + ignoreIndex + ")");
        }
        if (ignoreIndex != null && (ignoreIndex < 0 || ignoreIndex > 255)) {
            throw invalid("ignoreIndex", ignoreIndex, "must be in [0, 255]");
        }
        if (maxItems != null && (maxItems < 1 || maxItems > 32)) {
            throw invalid("maxItems", maxItems, "must be in [1, 32]");
        }
        if (itemThreshold != null && !(itemThreshold >= 0 && itemThreshold < 1)) {
            throw invalid("itemThreshold", itemThreshold, "must be in [0, 1)");
        }
        if (labelled != null && labelled < 1) {
            throw invalid("labelled", labelled, "must be at least 1 (and at most the training split's size)");
        }
        return this;
    }

    private static List<String> sorted(Set<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.stream().sorted().collect(Collectors.toList());
    }

    private static void checkFraction(String field, Double value) {
        if (value != null && !(value >= 0 && value < 1)) {
            throw invalid(field, value, "must be in [0, 1)");
        }
    }

    private static IllegalArgumentException invalid(String field, Object value, String rule) {
        return new IllegalArgumentException("data." + field + ": " + rule + ", got " + value);
    }

    // Resolved values: the given option or the default that applies to every type that reads it.

    public long seedOrDefault() {
        return seed != null ? seed : 42L;
    }

    public int heightOr(int fallback) {
        return height != null ? height : fallback;
    }

    public int widthOr(int fallback) {
        return width != null ? width : fallback;
    }

    /** The task the type's datasets have (known before any data is read, e.g. for config checks). */
    public Task task() {
        return switch (type) {
            case LANDCOVER, FASHION_MNIST_SCENES, AERIAL, IMAGE_MASK_FOLDERS -> Task.SEGMENTATION;
            case IMAGE_FOLDERS, FASHION_MNIST, LANDCOVER_PATCHES -> Task.CLASSIFICATION;
            default -> throw new IllegalArgumentException("data.type: unknown dataset type '" + type + "'");
        };
    }

    public int patchSizeOrDefault() {
        return patchSize != null ? patchSize : 256;
    }

    public double validationFractionOrDefault() {
        return validationFraction != null ? validationFraction : 0.1;
    }

    public double testFractionOrDefault() {
        return testFraction != null ? testFraction : 0.1;
    }

    public int samplesOr(int fallback) {
        return samples != null ? samples : fallback;
    }

    public boolean augmentOrDefault() {
        return augment != null && augment;
    }

    public int colorToleranceOrDefault() {
        return colorTolerance != null ? colorTolerance : 8;
    }

    // YAML

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * Reads a spec from a YAML file that is either a run config (the spec is its {@code data:} section) or just a
     * spec, and validates it.
     *
     * @throws IllegalArgumentException naming the file and the offending key or value
     */
    public static DatasetSpec fromYaml(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read config " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromYamlText(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #fromYaml(Path)}, from YAML text. */
    public static DatasetSpec fromYamlText(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new DatasetSpec().validate();
        }
        JsonNode node = root.has("data") ? root.get("data") : root;
        if (!node.isObject()) {
            throw new IllegalArgumentException("data: expected a mapping of dataset options, got " + node.getNodeType());
        }
        return fromTree(node).validate();
    }

    /** Binds a parsed {@code data:} node, turning Jackson's errors into messages that name the key and value. */
    static DatasetSpec fromTree(JsonNode node) {
        try {
            return YAML.treeToValue(node, DatasetSpec.class);
        } catch (InvalidFormatException e) {
            throw new IllegalArgumentException("data." + fieldPath(e) + ": cannot read value '" + e.getValue()
                    + "' as " + e.getTargetType().getSimpleName(), e);
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException("data." + fieldPath(e) + ": " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            // Our any-setters' IllegalArgumentException arrives wrapped; its message already names the key.
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(cause instanceof IllegalArgumentException
                    ? cause.getMessage() : e.getOriginalMessage(), e);
        }
    }

    private static String fieldPath(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** The spec as YAML, given options only (for provenance and {@code data inspect}). */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetSpec s && Objects.equals(type, s.type) && givenOptions().equals(s.givenOptions());
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, givenOptions());
    }

    @Override
    public String toString() {
        return "DatasetSpec{type=" + type + ", " + givenOptions() + "}";
    }
}
