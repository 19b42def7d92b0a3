package io.distill4j.eval;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.adapters.OutputAdapter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Measures a graph's inference time per image on a fixed batch: a few warm-up passes (JIT, oneDNN primitive
 * creation, workspace allocation), then the median of several timed passes, divided by the batch size. Models
 * compared in one table should be timed in the same process on the same batch.
 */
public final class InferenceTimer {

    public static final int DEFAULT_WARMUP = 3;
    public static final int DEFAULT_REPETITIONS = 7;

    private InferenceTimer() {
    }

    /**
     * @param batchSize     images per timed pass
     * @param batchMillis   each timed pass, in the order run
     * @param medianMillis  median of {@code batchMillis}
     * @param msPerImage    {@code medianMillis / batchSize}
     */
    public record Timing(int batchSize, double[] batchMillis, double medianMillis, double msPerImage) {
    }

    /** {@link #measure(ComputationGraph, INDArray, int, int)} with the default warm-up and repetitions. */
    public static Timing measure(ComputationGraph graph, INDArray batch) {
        return measure(graph, batch, DEFAULT_WARMUP, DEFAULT_REPETITIONS);
    }

    /**
     * One inference pass whose result is read and dropped: DL4J's {@code output(inputs, masks, labelMasks,
     * OutputAdapter)}, which computes into a workspace reused from call to call. {@code output(false, x)} detaches
     * every result into fresh memory that ND4J frees only once the garbage collector finds the array (the student's
     * 12.6 MB of probabilities a batch of 8 at 256²: page faults and a growing native heap, about 5-15% of the pass).
     */
    static void output(ComputationGraph graph, INDArray batch) {
        graph.output(new INDArray[]{batch}, null, null, (OutputAdapter<Void>) outputs -> null);
    }

    /**
     * Times one inference pass ({@link #output}).
     *
     * @param repetitions timed passes, at least 5 so one outlier cannot move the median
     */
    public static Timing measure(ComputationGraph graph, INDArray batch, int warmup, int repetitions) {
        if (repetitions < 5) {
            throw new IllegalArgumentException("repetitions must be >= 5 for a stable median, got " + repetitions);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
        }
        for (int i = 0; i < warmup; i++) {
            output(graph, batch);
        }
        double[] millis = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            output(graph, batch);
            // asynchronous backends (CUDA) return before the work is done; commit waits for it
            Nd4j.getExecutioner().commit();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        int batchSize = (int) batch.size(0);
        return new Timing(batchSize, millis, median, median / batchSize);
    }
}
