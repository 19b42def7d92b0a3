package io.distill4j.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Deterministic train/validation/test partitions of {@code n} items from a seed. */
final class Splits {

    private Splits() {
    }

    /**
     * Shuffles {@code 0..n-1} with the seed and cuts it into test, validation and train, in that order. A split with
     * a non-zero fraction gets at least one item when there are enough items for train to keep one.
     *
     * @throws DatasetException when too few items are left for training; {@code what} names the source
     */
    static Map<Split, List<Integer>> partition(int n, double validationFraction, double testFraction, long seed,
                                               String what) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 0x9E3779B97F4A7C15L + 17));
        int test = count(n, testFraction);
        int validation = count(n, validationFraction);
        if (n - test - validation < 1) {
            throw new DatasetException(what + ": " + n + " items are too few for a training split with "
                    + "validationFraction " + validationFraction + " and testFraction " + testFraction);
        }
        Map<Split, List<Integer>> parts = new EnumMap<>(Split.class);
        parts.put(Split.TEST, sortedCopy(order.subList(0, test)));
        parts.put(Split.VALIDATION, sortedCopy(order.subList(test, test + validation)));
        parts.put(Split.TRAIN, sortedCopy(order.subList(test + validation, n)));
        return parts;
    }

    private static int count(int n, double fraction) {
        int count = (int) Math.round(n * fraction);
        return fraction > 0 && count == 0 && n >= 3 ? 1 : count;
    }

    /** Sorted so each split keeps the source order; shuffling is the iterator's business. */
    private static List<Integer> sortedCopy(List<Integer> items) {
        List<Integer> copy = new ArrayList<>(items);
        Collections.sort(copy);
        return Collections.unmodifiableList(copy);
    }
}
