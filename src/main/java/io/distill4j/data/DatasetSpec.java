package io.distill4j.data;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonTypeIdResolver;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.jsontype.impl.TypeIdResolverBase;
import io.distill4j.util.Yaml;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code data:} section of a run YAML: one class per {@link DatasetType}, chosen by its {@code type} key
 * ({@code landcover} when left out), holding exactly the options that type reads.
 *
 * <p>Options left out ({@code null}) take the type's default. A key that belongs to another type is an error naming
 * the key and the type's options (a misplaced {@code patchSize} cannot go unnoticed), as is a key no type knows,
 * whatever the {@link com.fasterxml.jackson.databind.ObjectMapper} configuration (see {@link #rejectUnknown}).
 * The options every type reads live here; each type adds its own.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "type",
        defaultImpl = DatasetSpec.LandCover.class)
@JsonTypeIdResolver(DatasetSpec.TypeIds.class)
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract sealed class DatasetSpec permits DatasetSpec.Sized, DatasetSpec.MaskFolders,
        DatasetSpec.FashionMnist {

    /** Where the Debian package {@code dataset-fashion-mnist} puts the IDX files. */
    public static final String DEFAULT_FASHION_MNIST_PATH = "/usr/share/datasets/fashion-mnist";

    /** Default sample side, in pixels, of the types that resize or generate. */
    static final int DEFAULT_SIDE = 64;
    /** Default test fraction of the types without a test set of their own. */
    static final double DEFAULT_TEST_FRACTION = 0.1;

    /** Seed for generation, splits, shuffling and augmentation; default 42. */
    public Long seed;
    /** Fraction of samples (or source images) for validation; default 0.1. */
    public Double validationFraction;
    /** Random flips and 90° rotations on TRAIN, identical for image and mask; default false. */
    public Boolean augment;
    /** Name of the class the loss ignores (e.g. {@code Unlabeled}); exclusive with {@link #ignoreIndex}. */
    public String ignoreClass;
    /** Class id the loss ignores; exclusive with {@link #ignoreClass}. */
    public Integer ignoreIndex;
    /**
     * Label-scarce distillation: only this many training examples keep their labels (the teacher and a scratch
     * student train on them alone); the rest are a transfer set for the teacher terms ({@link LabelledSubset}).
     */
    public Integer labelled;

    DatasetSpec() {
    }

    /** A spec of the given type with every option at its default. */
    public static DatasetSpec of(DatasetType type) {
        try {
            return type.specClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the spec of " + type, e);
        }
    }

    /** This spec's type. */
    public DatasetType type() {
        return DatasetType.of(getClass());
    }

    /** The task the type's datasets have (known before any data is read, e.g. for config checks). */
    public Task task() {
        return type().task();
    }

    // The types, grouped by the options they share.

    /** Types whose samples have a height × width of the user's choosing (generated, or images resized to it). */
    public abstract static sealed class Sized extends DatasetSpec permits Generated, ImageFolders {
        /** Sample height in pixels; default 64. */
        public Integer height;
        /** Sample width in pixels; default 64. */
        public Integer width;
        /** Fraction of samples for test (image folders: where the root has no test set of its own); default 0.1. */
        public Double testFraction;

        public int heightOrDefault() {
            return orDefault(height, DEFAULT_SIDE);
        }

        public int widthOrDefault() {
            return orDefault(width, DEFAULT_SIDE);
        }

        public double testFractionOrDefault() {
            return orDefault(testFraction, DEFAULT_TEST_FRACTION);
        }

        @Override
        public Map<String, Integer> givenSides() {
            return sides("height", height, "width", width);
        }

        @Override
        void validateOptions() {
            checkSide("height", height);
            checkSide("width", width);
            checkTestFraction(testFraction);
        }
    }

    /** Generated sets of a given size: synthetic land cover (tiles or patches) and Fashion-MNIST scenes. */
    public abstract static sealed class Generated extends Sized permits LandCover, LandCoverPatches,
            FashionMnistScenes {
        /** Number of samples to generate; default 2000 (scenes 3000). */
        public Integer samples;

        @Override
        void validateOptions() {
            super.validateOptions();
            if (samples != null && samples < 1) {
                throw invalid("samples", samples, "must be >= 1");
            }
        }
    }

    /** {@code type: landcover}: synthetic land-cover segmentation tiles (the default; no files needed). */
    public static final class LandCover extends Generated {
    }

    /** {@code type: landcover-patches}: synthetic land-cover patches labelled by their majority class. */
    public static final class LandCoverPatches extends Generated {
    }

    /** {@code type: fashion-mnist-scenes}: Fashion-MNIST items pasted on canvases, masks from the items' pixels. */
    public static final class FashionMnistScenes extends Generated {
        /** Folder of the IDX files; default {@value DatasetSpec#DEFAULT_FASHION_MNIST_PATH}. */
        public String path;
        /** Most items per canvas (at least one); default 4. */
        public Integer maxItems;
        /** Item pixels above this fraction of white get the item's class; default 0.2. */
        public Double itemThreshold;

        @Override
        void validateOptions() {
            super.validateOptions();
            checkPath(path);
            if (maxItems != null && (maxItems < 1 || maxItems > 32)) {
                throw invalid("maxItems", maxItems, "must be in [1, 32]");
            }
            if (itemThreshold != null && !(itemThreshold >= 0 && itemThreshold < 1)) {
                throw invalid("itemThreshold", itemThreshold, "must be in [0, 1)");
            }
        }
    }

    /** Segmentation images with masks in folders, cut into square patches. */
    public abstract static sealed class MaskFolders extends DatasetSpec permits Aerial, ImageMaskFolders {
        /** Root folder of the data; required. */
        public String path;
        /** Patch side P: images are cropped to a multiple of P and cut into P×P; default 256. */
        public Integer patchSize;
        /** Fraction of source images for test; default 0.1. */
        public Double testFraction;
        /** RGB mask colours in class-id order (aerial: the seed's six classes by default). */
        public List<ClassColor> colorMap;
        /** Largest per-channel difference at which a mask colour still matches a colour-map entry; default 8. */
        public Integer colorTolerance;

        public double testFractionOrDefault() {
            return orDefault(testFraction, DEFAULT_TEST_FRACTION);
        }

        public int patchSizeOrDefault() {
            return patchSize != null ? patchSize : 256;
        }

        public int colorToleranceOrDefault() {
            return colorTolerance != null ? colorTolerance : 8;
        }

        @Override
        public Map<String, Integer> givenSides() {
            return sides("patchSize", patchSize);
        }

        @Override
        void validateOptions() {
            checkPath(path);
            checkSide("patchSize", patchSize);
            checkTestFraction(testFraction);
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
        }
    }

    /** {@code type: aerial}: the aerial-imagery seed layout, {@code Tile N/images/*.jpg} and {@code Tile N/masks/*.png}. */
    public static final class Aerial extends MaskFolders {
    }

    /** {@code type: image-mask-folders}: a root with {@code images/} and {@code masks/} of matching base names. */
    public static final class ImageMaskFolders extends MaskFolders {
        /** Class names of id-valued masks (instead of a colour map). */
        public List<String> classNames;

        @Override
        void validateOptions() {
            super.validateOptions();
            if (classNames != null && classNames.isEmpty()) {
                throw invalid("classNames", "[]", "must list at least one class");
            }
            if (colorMap != null && classNames != null) {
                throw new IllegalArgumentException("data.classNames: give either colorMap (RGB masks) or classNames "
                        + "(id-valued masks), not both");
            }
        }
    }

    /** {@code type: image-folders}: classification from one folder per class (e.g. the Intel layout). */
    public static final class ImageFolders extends Sized {
        /** Root folder of the class folders; required. */
        public String path;

        @Override
        void validateOptions() {
            super.validateOptions();
            checkPath(path);
        }
    }

    /** {@code type: fashion-mnist}: Fashion-MNIST classification from the IDX files (28×28 grey, 10 classes). */
    public static final class FashionMnist extends DatasetSpec {
        /** Folder of the IDX files; default {@value DatasetSpec#DEFAULT_FASHION_MNIST_PATH}. */
        public String path;
        /** Use at most this many images of the training file (train + validation); default all. */
        public Integer samples;

        @Override
        void validateOptions() {
            checkPath(path);
            if (samples != null && samples < 1) {
                throw invalid("samples", samples, "must be >= 1");
            }
        }
    }

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

        @Override
        public String toString() {
            return name + " " + color;
        }
    }

    // Options

    @JsonAnySetter
    void rejectUnknown(String key, Object value) {
        // An any-setter fails even where the mapper was configured to ignore unknown properties.
        boolean anotherTypes = Arrays.stream(DatasetType.values())
                .anyMatch(t -> optionNames(t.specClass()).contains(key));
        String options = String.join(", ", new TreeSet<>(optionNames(getClass())));
        throw new IllegalArgumentException(anotherTypes
                ? "data." + key + ": does not apply to type '" + type() + "' (its options: " + options + ")"
                : "unknown key '" + key + "' in data of type '" + type() + "' (its keys: type, " + options + ")");
    }

    /** The option names a spec class binds, the common ones first, in declaration order. */
    public static List<String> optionNames(Class<? extends DatasetSpec> specClass) {
        List<String> names = new ArrayList<>();
        for (Field field : optionFields(specClass)) {
            names.add(field.getName());
        }
        return names;
    }

    private static List<Field> optionFields(Class<?> specClass) {
        Deque<Class<?>> lineage = new ArrayDeque<>();
        for (Class<?> c = specClass; c != Object.class; c = c.getSuperclass()) {
            lineage.push(c);
        }
        List<Field> fields = new ArrayList<>();
        for (Class<?> c : lineage) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers)) {
                    fields.add(field);
                }
            }
        }
        return fields;
    }

    /** The options that were given (non-null), by name; {@code type} is left out. */
    public Map<String, Object> givenOptions() {
        Map<String, Object> given = new LinkedHashMap<>();
        for (Field field : optionFields(getClass())) {
            try {
                Object value = field.get(this);
                if (value != null) {
                    given.put(field.getName(), value);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return given;
    }

    /**
     * The image sides given in this spec by key ({@code height}, {@code width} or {@code patchSize}): what a
     * network's input size follows. Empty for types of a fixed size.
     */
    public Map<String, Integer> givenSides() {
        return Map.of();
    }

    // Validation

    /**
     * Checks every value's range, the common options here and the type's own in {@link #validateOptions}.
     *
     * @throws IllegalArgumentException naming the field and the value
     */
    public DatasetSpec validate() {
        checkFraction("validationFraction", validationFraction);
        if (ignoreClass != null && ignoreIndex != null) {
            throw new IllegalArgumentException("data.ignoreClass / data.ignoreIndex: give one, not both (got '"
                    + ignoreClass + "' and " + ignoreIndex + ")");
        }
        if (ignoreIndex != null && (ignoreIndex < 0 || ignoreIndex > 255)) {
            throw invalid("ignoreIndex", ignoreIndex, "must be in [0, 255]");
        }
        if (labelled != null && labelled < 1) {
            throw invalid("labelled", labelled, "must be at least 1 (and at most the training split's size)");
        }
        validateOptions();
        return this;
    }

    /** Checks the options this type adds to the common ones. */
    abstract void validateOptions();

    /** Checks a type's {@code testFraction}, alone and with {@link #validationFraction}. */
    void checkTestFraction(Double testFraction) {
        checkFraction("testFraction", testFraction);
        if (validationFraction != null && testFraction != null && validationFraction + testFraction >= 1) {
            throw new IllegalArgumentException("data.validationFraction + data.testFraction: must be < 1, got "
                    + validationFraction + " + " + testFraction);
        }
    }

    private static Map<String, Integer> sides(Object... keysAndValues) {
        Map<String, Integer> sides = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                sides.put((String) keysAndValues[i], (Integer) keysAndValues[i + 1]);
            }
        }
        return sides;
    }

    private static void checkSide(String field, Integer side) {
        if (side != null && (side < 8 || side > 4096)) {
            throw invalid(field, side, "must be in [8, 4096]");
        }
    }

    private static void checkPath(String path) {
        if (path != null && path.isBlank()) {
            throw invalid("path", "'" + path + "'", "must not be blank");
        }
    }

    private static void checkFraction(String field, Double value) {
        if (value != null && !(value >= 0 && value < 1)) {
            throw invalid(field, value, "must be in [0, 1)");
        }
    }

    private static IllegalArgumentException invalid(String field, Object value, String rule) {
        return new IllegalArgumentException("data." + field + ": " + rule + ", got " + value);
    }

    // Resolved values: the given option or the default of every type that reads it.

    public long seedOrDefault() {
        return seed != null ? seed : 42L;
    }

    public double validationFractionOrDefault() {
        return validationFraction != null ? validationFraction : 0.1;
    }

    public boolean augmentOrDefault() {
        return augment != null && augment;
    }

    /** An option's value, or the type's default when it was left out. */
    static int orDefault(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    /** An option's value, or the type's default when it was left out. */
    static double orDefault(Double value, double fallback) {
        return value != null ? value : fallback;
    }

    // YAML

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
            root = Yaml.MAPPER.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new LandCover().validate();
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
            return Yaml.MAPPER.treeToValue(node, DatasetSpec.class);
        } catch (InvalidTypeIdException e) {
            throw new IllegalArgumentException(unknownType(e.getTypeId()), e);
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

    /** The error for a {@code data.type} no {@link DatasetType} has. */
    public static String unknownType(String id) {
        return "data.type: unknown dataset type '" + id + "' (known: " + DatasetType.known() + ")";
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

    /** The spec as YAML, its type and the given options only (for provenance and {@code data inspect}). */
    public String toYaml() {
        try {
            return Yaml.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code data.type} ↔ spec class through {@link DatasetType}. An unknown type is an error here: Jackson would
     * otherwise fall back to the default type (land cover) without a word.
     */
    static final class TypeIds extends TypeIdResolverBase {

        @Override
        public String idFromValue(Object value) {
            return ((DatasetSpec) value).type().toString();
        }

        @Override
        public String idFromValueAndType(Object value, Class<?> suggestedType) {
            return idFromValue(value);
        }

        @Override
        public JsonTypeInfo.Id getMechanism() {
            return JsonTypeInfo.Id.CUSTOM;
        }

        @Override
        public JavaType typeFromId(DatabindContext context, String id) throws IOException {
            DatasetType type = DatasetType.byId(id).orElse(null);
            if (type == null) {
                throw InvalidTypeIdException.from(context instanceof DeserializationContext d ? d.getParser() : null,
                        unknownType(id), context.constructType(DatasetSpec.class), id);
            }
            return context.constructType(type.specClass());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && givenOptions().equals(((DatasetSpec) o).givenOptions());
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass(), givenOptions());
    }

    @Override
    public String toString() {
        return "DatasetSpec{type=" + type() + ", " + givenOptions() + "}";
    }
}
