package io.distill4j.data;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binding {@code data:} YAML to {@link DatasetSpec}, and its errors. */
class DatasetSpecTest {

    private static String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> DatasetSpec.fromYamlText(yaml)).getMessage();
    }

    @Test
    void readsTheDataSectionOfARunConfigOrABareSpec(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run.yaml");
        Files.writeString(run, """
                model:
                  anything: goes here
                data:
                  type: aerial
                  path: /data/aerial
                  patchSize: 128
                  ignoreClass: Unlabeled
                  colorTolerance: 4
                  augment: true
                """);
        var spec = assertInstanceOf(DatasetSpec.Aerial.class, DatasetSpec.fromYaml(run));
        assertEquals(DatasetType.AERIAL, spec.type());
        assertEquals("/data/aerial", spec.path);
        assertEquals(128, spec.patchSizeOrDefault());
        assertEquals("Unlabeled", spec.ignoreClass);
        assertTrue(spec.augmentOrDefault());
        assertEquals(42L, spec.seedOrDefault());

        var bare = assertInstanceOf(DatasetSpec.LandCover.class,
                DatasetSpec.fromYamlText("type: landcover\nsamples: 10\nheight: 32\n"));
        assertEquals(10, bare.samples);
        assertEquals(32, bare.heightOrDefault());
        assertEquals(64, bare.widthOrDefault());
        assertNull(bare.width);
    }

    @Test
    void emptyYamlIsTheDefault() {
        assertEquals(new DatasetSpec.LandCover(), DatasetSpec.fromYamlText(""));
        assertEquals(DatasetType.LANDCOVER, DatasetSpec.fromYamlText("data: {}").type());
        // no type key: land cover, as in every config written before types were classes
        assertEquals(DatasetType.LANDCOVER, DatasetSpec.fromYamlText("samples: 10").type());
    }

    @Test
    void colourMapEntriesBind() {
        var spec = (DatasetSpec.ImageMaskFolders) DatasetSpec.fromYamlText("""
                type: image-mask-folders
                path: /x
                colorMap:
                  - {name: background, color: "#000000"}
                  - {name: cat, color: "#FF8800"}
                """);
        assertEquals(List.of(new DatasetSpec.ClassColor("background", "#000000"),
                new DatasetSpec.ClassColor("cat", "#FF8800")), spec.colorMap);
    }

    @Test
    void yamlRoundTrips() {
        var spec = new DatasetSpec.Aerial();
        spec.path = "/a";
        spec.patchSize = 64;
        spec.colorMap = ColorMap.AERIAL;
        spec.ignoreIndex = 5;
        assertEquals(spec, DatasetSpec.fromYamlText(spec.toYaml()));
        assertTrue(spec.toYaml().startsWith("type: aerial\n"), spec.toYaml());
    }

    @Test
    void everyTypeBindsToItsOwnClassAndRoundTrips() {
        for (DatasetType type : DatasetType.values()) {
            DatasetSpec spec = DatasetSpec.of(type);
            assertEquals(type.specClass(), spec.getClass());
            assertEquals(type, spec.type());
            assertEquals(type.task(), spec.task());
            DatasetSpec read = DatasetSpec.fromYamlText("type: " + type + "\nseed: 7\n");
            assertEquals(type.specClass(), read.getClass(), type.toString());
            assertEquals(7L, read.seed);
            assertEquals(read, DatasetSpec.fromYamlText(read.toYaml()), type.toString());
            assertTrue(DatasetSpec.optionNames(type.specClass()).containsAll(List.of("seed", "validationFraction",
                    "augment", "ignoreClass", "ignoreIndex", "labelled")), type.toString());
        }
    }

    @Test
    void unknownKeyIsNamed() {
        String message = error("type: landcover\nhieght: 32\n");
        assertTrue(message.contains("'hieght'") && message.contains("its keys: type, augment, height,"), message);
        assertTrue(error("data:\n  colorMap:\n    - {name: a, colour: '#000000'}\n  type: aerial\n")
                .contains("'colour'"));
    }

    @Test
    void unknownKeyIsAnErrorEvenForALenientMapper() {
        // The run-config loader may bind DatasetSpec with its own mapper; the spec must still reject typos.
        ObjectMapper lenient = new ObjectMapper(new YAMLFactory())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Exception e = assertThrows(Exception.class, () -> lenient.readValue("pathh: /x\n", DatasetSpec.class));
        assertTrue(String.valueOf(e.getMessage()).contains("'pathh'"), e.getMessage());
        // nor may a lenient mapper read an unknown type as the default type
        e = assertThrows(Exception.class, () -> lenient.readValue("type: landcovr\n", DatasetSpec.class));
        assertTrue(String.valueOf(e.getMessage()).contains("'landcovr'"), e.getMessage());
    }

    @Test
    void invalidValuesNameFieldAndValue() {
        String type = error("type: landcovr");
        assertTrue(type.startsWith("data.type: unknown dataset type 'landcovr' (known: landcover, "), type);
        assertTrue(type.contains("image-folders") && type.contains("fashion-mnist-scenes"), type);
        String height = error("height: -3");
        assertTrue(height.contains("data.height") && height.contains("-3"), height);
        String fraction = error("validationFraction: 1.5");
        assertTrue(fraction.contains("data.validationFraction") && fraction.contains("1.5"), fraction);
        String notANumber = error("samples: lots");
        assertTrue(notANumber.contains("samples") && notANumber.contains("lots"), notANumber);
        String colour = error("type: aerial\npath: /a\ncolorMap: [{name: a, color: red}]");
        assertTrue(colour.contains("colorMap[0].color") && colour.contains("'red'"), colour);
        String sum = error("validationFraction: 0.6\ntestFraction: 0.5");
        assertTrue(sum.contains("0.6") && sum.contains("0.5"), sum);
        String both = error("ignoreClass: Unlabeled\nignoreIndex: 5");
        assertTrue(both.contains("ignoreClass") && both.contains("ignoreIndex"), both);
    }

    @Test
    void optionsThatDoNotApplyToTheTypeAreNamed() {
        String message = error("type: landcover\npatchSize: 128");
        assertTrue(message.contains("data.patchSize: does not apply to type 'landcover'")
                && message.contains("its options: augment, height,"), message);
        assertTrue(error("type: fashion-mnist\nheight: 32").contains("data.height"));
        // the same check applies to a type given by an override after other types' keys
        assertTrue(error("type: aerial\npath: /a\nmaxItems: 3").contains("data.maxItems"));
    }

    @Test
    void ignoreClassMustBeAClass() {
        var spec = new DatasetSpec.LandCover();
        spec.samples = 5;
        spec.ignoreClass = "Clouds";
        String message = assertThrows(IllegalArgumentException.class, () -> Datasets.open(spec)).getMessage();
        assertTrue(message.contains("'Clouds'") && message.contains("Unlabeled"), message);
        spec.ignoreClass = "Unlabeled";
        assertEquals(5, Datasets.open(spec).ignoreIndex().getAsInt());
        spec.ignoreClass = null;
        spec.ignoreIndex = 6;
        message = assertThrows(IllegalArgumentException.class, () -> Datasets.open(spec)).getMessage();
        assertTrue(message.contains("data.ignoreIndex") && message.contains("6"), message);
    }

    @Test
    void missingConfigFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        String message = assertThrows(IllegalArgumentException.class, () -> DatasetSpec.fromYaml(missing))
                .getMessage();
        assertTrue(message.contains(missing.toString()), message);
    }

    @Test
    void theSpecKnowsItsTaskBeforeAnyDataIsReadAndAgreesWithTheOpenedDataset() {
        for (DatasetType type : List.of(DatasetType.LANDCOVER, DatasetType.LANDCOVER_PATCHES)) {
            var spec = (DatasetSpec.Generated) DatasetSpec.of(type);
            spec.height = 16;
            spec.width = 16;
            spec.samples = 12;
            assertEquals(Datasets.open(spec).task(), spec.task(), type.toString());
        }
        assertEquals(Task.SEGMENTATION, new DatasetSpec.Aerial().task());
        assertEquals(Task.CLASSIFICATION, new DatasetSpec.FashionMnist().task());
    }
}
