package io.distill4j.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The N2N reward: with the compression {@code C = 1 - params(student) / params(teacher)},
 * {@code R = C (2 - C) · A_student / A_teacher} (A the validation metric), and {@link #VIOLATION} for a candidate
 * that breaks a user constraint.
 */
public final class Reward {

    /** The reward of a candidate that breaks a constraint (or fails, or is no architecture at all). */
    public static final double VIOLATION = -1;

    private Reward() {
    }

    public static double compression(long studentParams, long teacherParams) {
        return 1.0 - (double) studentParams / teacherParams;
    }

    public static double of(long studentParams, long teacherParams, double studentMetric, double teacherMetric) {
        if (teacherParams < 1 || !(teacherMetric > 0)) {
            throw new IllegalArgumentException("the reward needs a teacher with parameters and a positive validation"
                    + " metric, got " + teacherParams + " parameters and metric " + teacherMetric);
        }
        double c = compression(studentParams, teacherParams);
        return c * (2 - c) * studentMetric / teacherMetric;
    }

    /**
     * The user's limits on a candidate; null = no limit.
     *
     * @param maxMsPerImage inference milliseconds per image as {@code eval.InferenceTimer} measures them
     * @param maxFileBytes  size of the saved model file
     */
    public record Constraints(Long maxParams, Double maxMsPerImage, Long maxFileBytes) {

        public static final Constraints NONE = new Constraints(null, null, null);

        /** What a candidate breaks, e.g. "123,456 parameters > --max-params 50,000"; empty when it breaks nothing. */
        public Optional<String> violation(long params, double msPerImage, long fileBytes) {
            List<String> broken = new ArrayList<>();
            if (maxParams != null && params > maxParams) {
                broken.add(String.format(Locale.ROOT, "%,d parameters > max %,d", params, maxParams));
            }
            if (maxMsPerImage != null && msPerImage > maxMsPerImage) {
                broken.add(String.format(Locale.ROOT, "%.3f ms/image > max %.3f", msPerImage, maxMsPerImage));
            }
            if (maxFileBytes != null && fileBytes > maxFileBytes) {
                broken.add(String.format(Locale.ROOT, "%,d file bytes > max %,d", fileBytes, maxFileBytes));
            }
            return broken.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", broken));
        }

        /** Whether measuring a candidate's time is needed. */
        public boolean timed() {
            return maxMsPerImage != null;
        }
    }
}
