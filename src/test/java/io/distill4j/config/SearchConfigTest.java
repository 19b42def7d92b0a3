package io.distill4j.config;

import io.distill4j.model.UNetArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code student.architecture} and {@code search} sections that {@code distill4j search} added. */
class SearchConfigTest {

    private static final String ARCHITECTURE = """
            student:
              architecture:
                levels:
                - encoder: {conv1: 8, conv2: 6, dropout: 0.1}
                  decoder: {conv1: 5, dropout: 0.1}
                - encoder: {conv1: 12, dropout: 0.0}
            """;

    @Test
    void oldConfigsStillParseWithoutAnArchitecture() {
        RunConfig old = RunConfigs.fromYaml("student:\n  filters: [2, 4]\n  epochs: 3\n", "old.yaml");
        assertEquals(List.of(2, 4), old.student.filters);
        assertNull(old.student.architecture);
        assertNull(RunConfigs.load(null, List.of()).student.architecture);
        assertEquals(5, old.search.rollouts);
        assertEquals(10, old.search.widths.size());
    }

    @Test
    void anArchitectureIsAStudentAndRoundTripsThroughYaml() {
        RunConfig c = RunConfigs.fromYaml(ARCHITECTURE, "arch.yaml");
        UNetArchitecture a = c.student.architecture;
        assertEquals("8/6+5/- 12/-", a.describe());
        assertEquals(List.of(8, 12), c.student.filters, "filters follow the architecture");
        RunConfig again = RunConfigs.fromYaml(RunConfigs.toYaml(c), "again");
        assertEquals(a, again.student.architecture);
    }

    @Test
    void badArchitecturesAndSearchValuesAreErrorsNamingTheKey() {
        ConfigException filters = assertThrows(ConfigException.class,
                () -> RunConfigs.fromYaml(ARCHITECTURE + "  filters: [8, 16]\n", "x.yaml"));
        assertTrue(filters.getMessage().contains("student.filters"), filters.getMessage());
        ConfigException rollouts = assertThrows(ConfigException.class,
                () -> RunConfigs.fromYaml("search: {rollouts: 0}", "x.yaml"));
        assertTrue(rollouts.getMessage().contains("search.rollouts = 0"), rollouts.getMessage());
        ConfigException widths = assertThrows(ConfigException.class,
                () -> RunConfigs.fromYaml("search: {widths: []}", "x.yaml"));
        assertTrue(widths.getMessage().contains("search.widths"), widths.getMessage());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> RunConfigs.fromYaml("search: {widths: [0.5, 1.5]}", "x.yaml"));
        assertTrue(bad.getMessage().contains("search.widths"), bad.getMessage());
        ConfigException strategy = assertThrows(ConfigException.class,
                () -> RunConfigs.fromYaml("search: {strategy: greedy}", "x.yaml"));
        assertTrue(strategy.getMessage().contains("search.strategy"), strategy.getMessage());
        ConfigException noLevels = assertThrows(ConfigException.class,
                () -> RunConfigs.fromYaml("student: {architecture: {levels: []}}", "x.yaml"));
        assertTrue(noLevels.getMessage().contains("student.architecture"), noLevels.getMessage());
    }
}
