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
        return cut(order, validationFraction, testFraction, what);
    }

    /**
     * As {@link #partition}, with every split keeping the class proportions of the whole (as far as whole items allow):
     * items are shuffled within their class, spread evenly over one sequence (item j of a class of n at (j + ½) / n),
     * and the sequence is cut as above. The split sizes are those of {@link #partition}.
     *
     * @param classes the class of each item
     */
    static Map<Split, List<Integer>> stratified(int[] classes, double validationFraction, double testFraction, long seed,
                                                String what) {
        int n = classes.length;
        Map<Integer, List<Integer>> byClass = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            byClass.computeIfAbsent(classes[i], c -> new ArrayList<>()).add(i);
        }
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + 17);
        List<double[]> keyed = new ArrayList<>(n);
        for (List<Integer> members : byClass.values()) {
            Collections.shuffle(members, random);
            for (int j = 0; j < members.size(); j++) {
                // a small random tie-break so classes of equal size do not always come in the same order
                keyed.add(new double[]{(j + 0.5) / members.size() + random.nextDouble() * 1e-9, members.get(j)});
            }
        }
        keyed.sort(java.util.Comparator.comparingDouble(k -> k[0]));
        List<Integer> order = keyed.stream().map(k -> (int) k[1]).collect(java.util.stream.Collectors.toList());
        return cut(order, validationFraction, testFraction, what);
    }

    private static Map<Split, List<Integer>> cut(List<Integer> order, double validationFraction, double testFraction,
                                                 String what) {
        int n = order.size();
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
