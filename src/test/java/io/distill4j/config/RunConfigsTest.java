package io.distill4j.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunConfigsTest {

    @Test
    void builtInDefaultIsTheLandCoverConfig() {
        RunConfig c = RunConfigs.load(null, List.of());
        assertEquals("landcover", c.name);
        assertEquals(io.distill4j.data.DatasetType.LANDCOVER, c.data.type());
        assertEquals(List.of(16, 32, 64, 128, 256), c.teacher.filters);
        assertEquals(List.of(4, 8, 16, 32, 64), c.student.filters);
    }

    @Test
    void everyShippedConfigLoads() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("configs"))) {
            List<Path> configs = files.filter(f -> f.toString().endsWith(".yaml")).toList();
            assertTrue(configs.size() >= 7, "configs/: " + configs);
            java.util.Set<io.distill4j.data.DatasetType> types = new java.util.TreeSet<>();
            for (Path f : configs) {
                RunConfig c = RunConfigs.load(f, List.of());
                assertTrue(c.name != null && !c.name.isBlank(), f.toString());
                // the data section alone also reads as a dataset spec (data inspect --config)
                assertEquals(c.data.type(), io.distill4j.data.DatasetSpec.fromYaml(f).type());
                types.add(c.data.type());
            }
            assertEquals(java.util.EnumSet.allOf(io.distill4j.data.DatasetType.class), types,
                    "one example per dataset type");
        }
    }

    @Test
    void overridesReachAnyFieldAndParseAsYaml() {
        RunConfig c = RunConfigs.load(null, List.of("training.epochs=3", "student.filters=[2, 4, 8]",
                "distillation.alpha=0.25", "data.samples=10", "output.runsDir=/tmp/x"));
        assertEquals(3, c.training.epochs);
        assertEquals(List.of(2, 4, 8), c.student.filters);
        assertEquals(0.25, c.distillation.alpha);
        assertEquals(10, ((io.distill4j.data.DatasetSpec.LandCover) c.data).samples);
        assertEquals("/tmp/x", c.output.runsDir);
    }

    @Test
    void unknownKeysAreErrorsNamingTheKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "name: x\ntraining:\n  epoch: 3\n");
        String message = assertThrows(ConfigException.class, () -> RunConfigs.load(file, List.of())).getMessage();
        assertTrue(message.contains("training.epoch") && message.contains(file.toString()), message);
        assertTrue(message.contains("epochs"), "lists the known keys: " + message);
        message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of("optimizer.lr=0.1")))
                .getMessage();
        assertTrue(message.contains("optimizer.lr"), message);
        message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of("data.colour=red")))
                .getMessage();
        assertTrue(message.contains("colour"), message);
    }

    @Test
    void theDataSectionBindsOneClassPerTypeAndItsErrorsNameFileKeyAndType(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, "name: x\ndata:\n  type: landcovr\n");
        String message = assertThrows(ConfigException.class, () -> RunConfigs.load(file, List.of())).getMessage();
        assertTrue(message.startsWith(file + ": data.type: unknown dataset type 'landcovr' (known: landcover,"),
                message);
        Files.writeString(file, "name: x\ndata:\n  type: landcover\n  patchSize: 64\n");
        message = assertThrows(ConfigException.class, () -> RunConfigs.load(file, List.of())).getMessage();
        assertTrue(message.contains(file.toString()) && message.contains("data.patchSize: does not apply to type "
                + "'landcover'"), message);
        // an override switches the type, and the options then bind to the new type's class
        RunConfig c = RunConfigs.load(null, List.of("data.type=landcover-patches", "data.samples=12"));
        var patches = assertInstanceOf(io.distill4j.data.DatasetSpec.LandCoverPatches.class, c.data);
        assertEquals(12, patches.samples);
        assertEquals(c.data, RunConfigs.copy(c).data);
        message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of("data.type=fashion-mnist")))
                .getMessage();
        assertTrue(message.contains("does not apply to type 'fashion-mnist'"), "the built-in config's height: "
                + message);
    }

    @Test
    void invalidValuesAreErrorsNamingKeyAndValue() {
        String message = assertThrows(ConfigException.class,
                () -> RunConfigs.load(null, List.of("distillation.alpha=1.5"))).getMessage();
        assertTrue(message.contains("distillation.alpha") && message.contains("1.5"), message);
        message = assertThrows(ConfigException.class,
                () -> RunConfigs.load(null, List.of("training.batchSize=0"))).getMessage();
        assertTrue(message.contains("training.batchSize") && message.contains("0"), message);
        message = assertThrows(ConfigException.class,
                () -> RunConfigs.load(null, List.of("training.epochs=many"))).getMessage();
        assertTrue(message.contains("training.epochs"), message);
        message = assertThrows(ConfigException.class,
                () -> RunConfigs.load(null, List.of("optimizer.type=rmsprop"))).getMessage();
        assertTrue(message.contains("optimizer.type") && message.contains("rmsprop"), message);
        message = assertThrows(ConfigException.class,
                () -> RunConfigs.load(null, List.of("student.encoderDropout=[0.1]"))).getMessage();
        assertTrue(message.contains("student.encoderDropout"), message);
        assertThrows(ConfigException.class, () -> RunConfigs.load(Path.of("no/such.yaml"), List.of()));
    }

    @Test
    void segmentationSidesMustBeMultiplesOfThePoolingFactorAndTheErrorSaysSo() {
        String message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of("data.height=100")))
                .getMessage();
        assertTrue(message.contains("data.height = 100") && message.contains("a multiple of 16")
                && message.contains("e.g. 96 or 112"), message);
        // two-level networks pool once: any even side
        assertEquals(18, RunConfigs.load(null, List.of("teacher.filters=[4,8]", "student.filters=[2,4]",
                "data.width=18")).data.givenSides().get("width"));
        message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of("teacher.filters=[4,8]",
                "student.filters=[2,4]", "data.width=17"))).getMessage();
        assertTrue(message.contains("data.width = 17") && message.contains("a multiple of 2"), message);
        // classification heads pool to a vector: Fashion-MNIST's 28x28 and any patch side are fine
        assertEquals(30, RunConfigs.load(null, List.of("data.type=landcover-patches", "data.height=30")).data.givenSides().get("height"));
    }

    @Test
    void choicesAreEnumsWhoseErrorsNameKeyValueAndTheValidValues(@TempDir Path dir) throws IOException {
        String[][] cases = {
                {"optimizer.type=rmsprop", "optimizer.type", "rmsprop", "adam, sgd, nesterovs"},
                {"training.dtype=float64", "training.dtype", "float64", "float32, float16, bfloat16"},
                {"compress.prune=random", "compress.prune", "random", "level, filter, lottery, none"},
                {"compress.scope=net", "compress.scope", "net", "global, layer"},
                {"compress.quantize=int4", "compress.quantize", "int4", "dynamic, static, float16, bfloat16, none"},
                {"tune.generator=bayes", "tune.generator", "bayes", "random, grid, genetic"},
                {"optimizer.type=null", "optimizer.type", "null", "adam, sgd, nesterovs"}};
        for (String[] c : cases) {
            String message = assertThrows(ConfigException.class, () -> RunConfigs.load(null, List.of(c[0])),
                    c[0]).getMessage();
            for (int i = 1; i < c.length; i++) {
                assertTrue(message.contains(c[i]), c[0] + " -> " + message);
            }
        }
        // in a file, the error names the file too
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "name: x\noptimizer:\n  type: rmsprop\n");
        String message = assertThrows(ConfigException.class, () -> RunConfigs.load(file, List.of())).getMessage();
        assertTrue(message.contains(file.toString()) && message.contains("optimizer.type = rmsprop"), message);
    }

    @Test
    void choicesReadInAnyCaseAndAreWrittenInLowercase() {
        RunConfig c = RunConfigs.load(null, List.of("optimizer.type=SGD", "compress.quantize=Float16",
                "tune.generator=grid", "training.dtype=float16"));
        assertEquals(OptimizerType.SGD, c.optimizer.type);
        assertEquals(QuantizeMode.FLOAT16, c.compress.quantize);
        assertEquals(SweepGenerator.GRID, c.tune.generator);
        assertEquals(Dtype.FLOAT16, c.training.dtype);
        String yaml = RunConfigs.toYaml(c);
        assertTrue(yaml.contains("type: sgd") && yaml.contains("quantize: float16") && yaml.contains("dtype: float16")
                && yaml.contains("prune: level") && yaml.contains("scope: global"), yaml);
    }

    @Test
    void yamlRoundTripKeepsEveryField() {
        RunConfig c = RunConfigs.load(null, List.of("distillation.temperature=7", "teacher.epochs=2"));
        RunConfig back = RunConfigs.fromYaml(RunConfigs.toYaml(c), "round trip");
        assertEquals(RunConfigs.toYaml(c), RunConfigs.toYaml(back));
        assertEquals(7.0, back.distillation.temperature);
        assertEquals(2, back.teacher.epochs);
    }
}
