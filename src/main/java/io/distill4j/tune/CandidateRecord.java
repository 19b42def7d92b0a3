package io.distill4j.tune;

import java.util.List;

/**
 * One finished (or failed) candidate of a sweep, as the table shows it and {@code --resume} reads it back.
 *
 * @param status "done" or "failed"; a failed candidate has a NaN score and the error message
 */
public record CandidateRecord(int index, double alpha, double temperature, double learningRate, int epochs,
                              double score, int bestEpoch, double seconds, String status, String error) {

    public static final List<String> CSV_HEADER = List.of("candidate", "alpha", "temperature", "learning_rate",
            "epochs", "score", "best_epoch", "seconds", "status", "error");

    boolean done() {
        return "done".equals(status);
    }

    DistillationCandidate candidate() {
        return new DistillationCandidate(alpha, temperature, learningRate, epochs);
    }

    List<Object> csvRow() {
        return List.of(index, alpha, temperature, learningRate, epochs, score, bestEpoch, seconds, status,
                error == null ? "" : error);
    }

    String markdownRow() {
        return String.format(java.util.Locale.ROOT, "| %s | %.4f | %.3f | %.2g | %d | %s | %.0f | %s |",
                index < 0 ? "baseline (alpha = 1)" : String.valueOf(index), alpha, temperature, learningRate, epochs,
                done() ? String.format(java.util.Locale.ROOT, "%.4f", score) : "-", seconds,
                done() ? status : status + ": " + error);
    }
}
