package io.distill4j.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.util.List;

/**
 * CSV tables through jackson-dataformat-csv (RFC 4180): a value with a comma, a quote or a line break (a file name,
 * an error message) is quoted and escaped, so every row keeps its columns.
 */
public final class CsvTables {

    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
            .build();

    private CsvTables() {
    }

    /** A header line and one line per row; numbers are written as Java prints them, null as an empty cell. */
    public static String toCsv(List<String> header, List<? extends List<?>> rows) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true).setLineSeparator("\n");
        header.forEach(schema::addColumn);
        for (List<?> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("a CSV row has " + row.size() + " cells for " + header.size()
                        + " columns " + header + ": " + row);
            }
        }
        try {
            return CSV.writer(schema.build()).writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write CSV with columns " + header + ": " + e.getMessage(), e);
        }
    }

    /** Reads a CSV text with a header line into rows of strings (the header not included). */
    public static List<List<String>> read(String csv) {
        try (var it = CSV.readerForListOf(String.class)
                .with(CsvSchema.emptySchema().withSkipFirstDataRow(true))
                .with(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY)
                .<List<String>>readValues(csv)) {
            return it.readAll();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not valid CSV: " + e.getMessage(), e);
        }
    }
}
