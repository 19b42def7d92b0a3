package io.distill4j.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/**
 * Keeps the {@code k} highest- and {@code k} lowest-scoring samples of a stream (e.g. a validation set, batch by
 * batch) without holding the rest, for the best/worst prediction mosaics. A sample's payload is built only when it
 * enters one of the two lists. NaN scores (nothing to score) are skipped.
 *
 * <p>The two lists never share a sample: with fewer than {@code 2k} scored samples they split them, the better half
 * (rounded up) to {@link #best()}.
 *
 * @param <T> what is kept per sample (e.g. a mosaic row)
 */
public final class BestAndWorst<T> {

    /** A kept sample: its position in the stream, its score and its payload. */
    public record Scored<T>(long index, double score, T sample) {
    }

    // ties go to the earlier sample, so the order is total and the result reproducible
    private static final Comparator<Scored<?>> ASCENDING = Comparator.<Scored<?>>comparingDouble(Scored::score)
            .thenComparing(Comparator.<Scored<?>>comparingLong(Scored::index).reversed());

    private final int k;
    private final PriorityQueue<Scored<T>> best;   // head: the worst of the best
    private final PriorityQueue<Scored<T>> worst;  // head: the best of the worst
    private long offered;
    private long scored;

    public BestAndWorst(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.best = new PriorityQueue<>(ASCENDING);
        this.worst = new PriorityQueue<>(ASCENDING.reversed());
    }

    /** Offers the next sample of the stream (its index is the number offered before it). */
    public void offer(double score, Supplier<T> sample) {
        long index = offered++;
        if (Double.isNaN(score)) {
            return;
        }
        scored++;
        Scored<T> probe = new Scored<>(index, score, null);
        boolean intoBest = best.size() < k || ASCENDING.compare(probe, best.peek()) > 0;
        boolean intoWorst = worst.size() < k || ASCENDING.compare(probe, worst.peek()) < 0;
        if (!intoBest && !intoWorst) {
            return;
        }
        Scored<T> kept = new Scored<>(index, score, sample.get());
        if (intoBest) {
            best.add(kept);
            if (best.size() > k) {
                best.poll();
            }
        }
        if (intoWorst) {
            worst.add(kept);
            if (worst.size() > k) {
                worst.poll();
            }
        }
    }

    /** Samples offered so far, NaN-scored ones included. */
    public long offered() {
        return offered;
    }

    /** The best samples, highest score first. */
    public List<Scored<T>> best() {
        List<Scored<T>> all = candidatesDescending();
        return List.copyOf(all.subList(0, bestCount(all.size())));
    }

    /** The worst samples, lowest score first. */
    public List<Scored<T>> worst() {
        List<Scored<T>> all = candidatesDescending();
        List<Scored<T>> worstFirst = new ArrayList<>(all.subList(bestCount(all.size()), all.size()));
        java.util.Collections.reverse(worstFirst);
        return List.copyOf(worstFirst);
    }

    private int bestCount(int candidates) {
        // with 2k or more scored samples the two queues are disjoint; with fewer they hold every sample between them
        return scored >= 2L * k ? k : (candidates + 1) / 2;
    }

    private List<Scored<T>> candidatesDescending() {
        Map<Long, Scored<T>> union = new LinkedHashMap<>();
        best.forEach(s -> union.put(s.index(), s));
        worst.forEach(s -> union.put(s.index(), s));
        List<Scored<T>> all = new ArrayList<>(union.values());
        all.sort(ASCENDING.reversed());
        return all;
    }
}
