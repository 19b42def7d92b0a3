package io.distill4j.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Locks distill4j's package layering, top to bottom:
 * {@code cli → workflows → {train, tune, compress, search, deploy} → {eval, model, loss, data, config, ui} → util}.
 * A layer may use any layer below it (not only the next one), never one above; packages within a layer may use each
 * other as long as no cycle forms. Layers whose packages do not exist yet are allowed to be empty.
 */
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.distill4j");
    }

    @Test
    void layersOnlyUseTheLayersBelowThem() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("cli").definedBy("io.distill4j.cli..")
                .layer("workflows").definedBy("io.distill4j.workflows..")
                .layer("tasks").definedBy("io.distill4j.train..", "io.distill4j.tune..", "io.distill4j.compress..",
                        "io.distill4j.spark..",
                        "io.distill4j.search..", "io.distill4j.deploy..")
                .layer("core").definedBy("io.distill4j.eval..", "io.distill4j.model..", "io.distill4j.loss..",
                        "io.distill4j.data..", "io.distill4j.config..", "io.distill4j.ui..")
                .layer("util").definedBy("io.distill4j.util..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("workflows").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("tasks").mayOnlyBeAccessedByLayers("cli", "workflows")
                .whereLayer("core").mayOnlyBeAccessedByLayers("cli", "workflows", "tasks")
                .whereLayer("util").mayOnlyBeAccessedByLayers("cli", "workflows", "tasks", "core")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.distill4j.(*)..").should().beFreeOfCycles().check(classes);
    }
}
