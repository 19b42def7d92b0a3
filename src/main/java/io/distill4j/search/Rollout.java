package io.distill4j.search;

/**
 * One sampled action sequence of a policy iteration and what it earned.
 *
 * @param candidate the candidate it decoded to, or null when it removed every level (reward -1)
 * @param baseline  the REINFORCE baseline of its iteration; the advantage is {@code reward - baseline}
 */
public record Rollout(ArchitectureSearch.Stage stage, int iteration, int rollout, Integer candidate, double reward,
                      double baseline) {

    public static final String CSV_HEADER = "stage,iteration,rollout,candidate,reward,baseline,advantage";

    String csvRow() {
        return stage.name().toLowerCase(java.util.Locale.ROOT) + "," + iteration + "," + rollout + ","
                + (candidate == null ? "" : candidate) + "," + reward + "," + baseline + "," + (reward - baseline);
    }
}
