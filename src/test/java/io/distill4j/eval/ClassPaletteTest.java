package io.distill4j.eval;

import io.distill4j.data.ColorMap;
import io.distill4j.data.Dataset;
import io.distill4j.data.DatasetSpec;
import io.distill4j.data.Datasets;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClassPaletteTest {

    @Test
    void aDatasetsPaletteHasItsOwnNamesColoursAndIgnoreIndex() {
        var spec = new DatasetSpec.LandCover();
        spec.height = 16;
        spec.width = 16;
        spec.samples = 4;
        Dataset data = Datasets.open(spec);
        ClassPalette palette = ClassPalette.of(data);
        assertEquals(data.classNames(), palette.classNames());
        assertEquals(data.classColors(), palette.colors());
        assertEquals(data.ignoreIndex().isPresent() ? data.ignoreIndex().getAsInt() : null, palette.ignoreIndex());
        assertEquals(data.classColors().get(1), palette.color(1));
        assertEquals(ClassPalette.IGNORED, palette.color(data.numClasses()));
    }

    @Test
    void namesAndColoursMustPairUp() {
        assertThrows(IllegalArgumentException.class, () -> new ClassPalette(List.of("a", "b"), ColorMap.palette(3), null));
    }
}
