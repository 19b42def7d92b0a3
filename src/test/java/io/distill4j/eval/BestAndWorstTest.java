package io.distill4j.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BestAndWorstTest {

    @Test
    void picksTheKHighestAndKLowestScores() {
        double[] scores = {0.5, 0.9, 0.1, Double.NaN, 0.7, 0.3, 0.95, 0.2};
        Mosaics.Selection selection = Mosaics.selectBestAndWorst(2, scores);
        assertArrayEquals(new int[]{6, 1}, selection.best());
        assertArrayEquals(new int[]{2, 7}, selection.worst());
    }

    @Test
    void withFewerThanTwoKSamplesTheListsSplitThemWithoutOverlap() {
        Mosaics.Selection selection = Mosaics.selectBestAndWorst(10, new double[]{0.4, 0.8, 0.6, 0.2, 0.5});
        assertArrayEquals(new int[]{1, 2, 4}, selection.best());
        assertArrayEquals(new int[]{3, 0}, selection.worst());
    }

    @Test
    void streamingKeepsPayloadsOfTheChosenSamplesOnly() {
        BestAndWorst<String> selection = new BestAndWorst<>(1);
        int[] built = {0};
        for (double score : new double[]{0.5, 0.5, 0.9, 0.1, 0.6}) {
            selection.offer(score, () -> "sample " + built[0]++);
        }
        assertEquals(5, selection.offered());
        assertEquals(List.of(2L), selection.best().stream().map(BestAndWorst.Scored::index).toList());
        assertEquals(List.of(3L), selection.worst().stream().map(BestAndWorst.Scored::index).toList());
        assertEquals(0.9, selection.best().get(0).score());
        // built: 0 (first of both), 1 (ties go to the earlier sample, so 1 ranks below 0 and became the worst),
        // 2 (new best) and 3 (new worst); 4 entered neither list and was never built
        assertEquals(4, built[0]);
    }
}
