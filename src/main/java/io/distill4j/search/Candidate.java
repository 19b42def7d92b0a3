package io.distill4j.search;

import io.distill4j.model.UNetArchitecture;

import java.util.Locale;

/**
 * One architecture a search evaluated (each distinct architecture once: a repeat is answered from this record).
 *
 * @param stage       where it came from: the hand-designed reference, or the stage whose rollout first sampled it
 * @param iteration   that stage's policy iteration (0-based)
 * @param fileBytes   size of the model file as distill4j saves it (with the updater state, as every saved model)
 * @param msPerImage  inference time per image ({@code eval.InferenceTimer}, median, on a validation batch)
 * @param compression {@code 1 - params / teacher params}
 * @param metric      best validation metric (mean IoU or accuracy) over the candidate's epochs; NaN if not trained
 * @param reward      the N2N reward, -1 for a broken constraint or a failure
 * @param error       why it was not trained (constraint or exception), else null
 */
public record Candidate(int id, ArchitectureSearch.Stage stage, int iteration, UNetArchitecture architecture,
                        long parameters, long fileBytes, double msPerImage, double compression, double metric,
                        double reward, double seconds, Status status, String error) {

    public enum Status { DONE, VIOLATED, FAILED }

    public static final String CSV_HEADER = "candidate,stage,iteration,architecture,levels,parameters,compression,"
            + "file_bytes,ms_per_image,validation_metric,reward,seconds,status,error";

    public boolean done() {
        return status == Status.DONE;
    }

    /** Teacher parameters over this candidate's. */
    public double compressionRatio() {
        return 1.0 / (1.0 - compression);
    }

    String csvRow() {
        return String.format(Locale.ROOT, "%d,%s,%d,%s,%d,%d,%.6f,%d,%.4f,%s,%.6f,%.1f,%s,%s", id,
                stage.name().toLowerCase(Locale.ROOT), iteration, architecture.describe(), architecture.depth(),
                parameters, compression, fileBytes, msPerImage, Double.isNaN(metric) ? "" : String.format(Locale.ROOT,
                        "%.6f", metric), reward, seconds, status.name().toLowerCase(Locale.ROOT),
                error == null ? "" : '"' + error.replace('"', '\'') + '"');
    }
}
