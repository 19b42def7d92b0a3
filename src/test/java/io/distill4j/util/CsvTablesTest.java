package io.distill4j.util;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvTablesTest {

    @Test
    void commasQuotesAndLineBreaksInValuesKeepTheColumns() {
        String csv = CsvTables.toCsv(List.of("image", "class", "score", "error"), List.of(
                List.of("tile,1 \"north\".png", "water", 0.5, "cannot read \"x\", file,\nbroken"),
                Arrays.asList("plain.png", "forest", Double.NaN, null)));
        assertEquals("image,class,score,error\n"
                + "\"tile,1 \"\"north\"\".png\",water,0.5,\"cannot read \"\"x\"\", file,\nbroken\"\n"
                + "plain.png,forest,NaN,\n", csv);
        List<List<String>> rows = CsvTables.read(csv);
        assertEquals(List.of("tile,1 \"north\".png", "water", "0.5", "cannot read \"x\", file,\nbroken"), rows.get(0));
        assertEquals(List.of("plain.png", "forest", "NaN", ""), rows.get(1));
    }

    @Test
    void aRowOfTheWrongWidthIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> CsvTables.toCsv(List.of("a", "b"), List.of(List.of(1))));
    }
}
