package io.distill4j.config;

import io.distill4j.model.ResNetArchitecture;
import io.distill4j.model.ResNetBlock;
import io.distill4j.model.ResNetDepth;
import io.distill4j.model.ResNetStem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code teacher.resnet} and {@code student.resnet}: typed, bound by Jackson, bad values named by their key. */
class ResNetConfigTest {

    private static final List<String> CLASSIFICATION = List.of("data.type=landcover-patches", "data.height=16",
            "data.width=16", "teacher.filters=null", "teacher.resnet={depth: resnet10, stem: small}",
            "student.filters=null", "student.resnet={depth: resnet8}");

    @Test
    void aResNetTeacherAndStudentBindAndRoundTrip(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("resnet.yaml");
        Files.writeString(file, """
                name: resnets
                data: {type: landcover-patches, height: 16, width: 16}
                teacher:
                  resnet: {depth: resnet18, width: 0.5, stem: small}
                student:
                  resnet: {blocks: [1, 1], widths: [8, 16], block: bottleneck}
                  epochs: 3
                """);
        RunConfig c = RunConfigs.load(file, List.of());
        assertEquals(ResNetArchitecture.of(ResNetDepth.RESNET18, 0.5, ResNetStem.SMALL), c.teacher.resnet);
        assertNull(c.teacher.filters);
        assertEquals(ResNetBlock.BOTTLENECK, c.student.resnet.blockType());
        assertEquals(List.of(8, 16), c.student.resnet.stageWidths());
        String yaml = RunConfigs.toYaml(c);
        assertTrue(yaml.contains("depth: resnet18") && yaml.contains("stem: small") && !yaml.contains("filters"), yaml);
        RunConfig again = RunConfigs.fromYaml(yaml, "round trip");
        assertEquals(c.teacher.resnet, again.teacher.resnet);
        assertEquals(c.student.resnet, again.student.resnet);
        // and from the command line, onto a config with U-Nets
        RunConfig overridden = RunConfigs.load(null, concat(CLASSIFICATION, "student.resnet={depth: resnet8, width: 0.25}"));
        assertEquals(List.of(4, 8, 16), overridden.student.resnet.stageWidths());
    }

    @Test
    void badResNetValuesNameTheirKey() {
        String message = error("student.resnet.depth=resnet11");
        assertTrue(message.contains("student.resnet.depth = resnet11 is invalid: expected one of resnet10, resnet18,"
                + " resnet34, resnet50"), message);
        message = error("teacher.resnet={depth: resnet18, width: 0}");
        assertTrue(message.contains("width = 0.0 is invalid: expected a width multiplier in (0, 64]")
                && message.contains("'teacher.resnet'"), message);
        message = error("teacher.resnet={depth: resnet18, width: wide}");
        assertTrue(message.contains("teacher.resnet.width"), message);
        message = error("student.resnet={depth: resnet18, stem: tiny}");
        assertTrue(message.contains("student.resnet.stem = tiny is invalid: expected one of imagenet, small"), message);
        message = error("student.resnet={blocks: [1, 1]}");
        assertTrue(message.contains("needs depth (one of resnet10") && message.contains("'student.resnet'"), message);
        message = error("student.resnet={depth: resnet8, layers: 3}");
        assertTrue(message.contains("unknown key 'student.resnet.layers'"), message);
        // a ResNet next to U-Net settings, or on segmentation data
        message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of("data.type=landcover-patches",
                "data.height=16", "data.width=16", "student.resnet={depth: resnet8}"))).getMessage();
        assertTrue(message.contains("student.filters = [4, 8, 16, 32, 64] is invalid: expected no filters next to"
                + " student.resnet") && message.contains("--set student.filters=null"), message);
        message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of("student.filters=null",
                "student.resnet={depth: resnet8}"))).getMessage();
        assertTrue(message.contains("student.resnet = resnet8 x1") && message.contains("a ResNet classifies, the data"
                + " is segmentation"), message);
    }

    private static String error(String override) {
        return assertThrows(ConfigException.class, () -> RunConfigs.load(null, concat(CLASSIFICATION, override)))
                .getMessage();
    }

    private static List<String> concat(List<String> list, String more) {
        return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(more)).toList();
    }
}
