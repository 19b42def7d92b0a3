package io.distill4j.tune;

import io.distill4j.util.CsvTables;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CandidateRecordTest {

    @Test
    void aFailedCandidatesErrorWithCommasAndQuotesStaysInItsColumn() {
        String error = "cannot read \"runs/a,b/teacher.zip\", giving up";
        CandidateRecord failed = new CandidateRecord(3, 0.5, 2.0, 1e-3, 4, Double.NaN, -1, 12.5, "failed", error);
        CandidateRecord done = new CandidateRecord(4, 0.25, 4.0, 1e-3, 4, 0.71, 3, 10.0, "done", null);
        List<List<String>> rows = CsvTables.read(CsvTables.toCsv(CandidateRecord.CSV_HEADER,
                List.of(failed.csvRow(), done.csvRow())));
        assertEquals(2, rows.size());
        assertEquals(CandidateRecord.CSV_HEADER.size(), rows.get(0).size());
        assertEquals(error, rows.get(0).get(CandidateRecord.CSV_HEADER.indexOf("error")));
        assertEquals("failed", rows.get(0).get(CandidateRecord.CSV_HEADER.indexOf("status")));
        assertEquals("0.71", rows.get(1).get(CandidateRecord.CSV_HEADER.indexOf("score")));
        assertEquals("", rows.get(1).get(CandidateRecord.CSV_HEADER.indexOf("error")));
    }
}
