package io.distill4j.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SplitsTest {

    @Test
    void stratifiedSplitsKeepEveryClassInProportion() {
        // 30 items: 20 of class 0, 10 of class 1; validation 20%, test 10%
        int[] classes = new int[30];
        for (int i = 20; i < 30; i++) {
            classes[i] = 1;
        }
        for (long seed = 0; seed < 20; seed++) {
            Map<Split, List<Integer>> parts = Splits.stratified(classes, 0.2, 0.1, seed, "test");
            assertEquals(3, parts.get(Split.TEST).size());
            assertEquals(6, parts.get(Split.VALIDATION).size());
            assertEquals(21, parts.get(Split.TRAIN).size());
            long validationOnes = parts.get(Split.VALIDATION).stream().filter(i -> classes[i] == 1).count();
            assertEquals(2, validationOnes, "a third of validation is class 1, as of the whole (seed " + seed + ")");
            long testOnes = parts.get(Split.TEST).stream().filter(i -> classes[i] == 1).count();
            assertEquals(1, testOnes, "seed " + seed);
        }
    }

    @Test
    void stratifiedSplitsAreDeterministicAndDisjoint() {
        int[] classes = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
        Map<Split, List<Integer>> a = Splits.stratified(classes, 0.25, 0.25, 7, "test");
        assertEquals(a, Splits.stratified(classes, 0.25, 0.25, 7, "test"));
        java.util.Set<Integer> all = new java.util.HashSet<>();
        a.values().forEach(all::addAll);
        assertEquals(12, all.size());
        for (Split s : List.of(Split.TEST, Split.VALIDATION)) {
            assertEquals(3, a.get(s).stream().map(i -> classes[i]).distinct().count(), s + " has every class");
        }
    }
}
