package io.distill4j.train;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a promoted model is and how it was made: its size, its test metrics, the data it saw, the run that made it,
 * and the full resolved config, from which {@code distill4j train|distill --config} reproduces it.
 */
public record ModelCard(String name, String role, long parameters, long fileBytes, String dataset,
                        String datasetFingerprint, String runFolder, int bestEpoch, int epochsTrained,
                        Map<String, Double> testMetrics, Provenance provenance, String config) {

    public String toMarkdown() {
        String metrics = testMetrics.entrySet().stream()
                .map(e -> "| " + e.getKey() + " | " + String.format("%.4f", e.getValue()) + " |")
                .collect(Collectors.joining("\n"));
        return "# " + name + "\n\n"
                + "- role: " + role + "\n"
                + "- parameters: " + String.format("%,d", parameters) + "\n"
                + "- file: " + String.format("%,d", fileBytes) + " bytes\n"
                + "- dataset: " + dataset + " (fingerprint " + datasetFingerprint + ")\n"
                + "- run: " + runFolder + " (best epoch " + bestEpoch + " of " + epochsTrained + ")\n"
                + "- made by: distill4j " + provenance.distill4jVersion() + ", git " + provenance.gitCommit()
                + (provenance.gitDirty() ? " (with local changes)" : "") + ", DL4J " + provenance.dl4jVersion()
                + ", " + provenance.backend() + "/" + provenance.blas() + ", Java " + provenance.javaVersion()
                + ", seed " + provenance.seed() + ", " + provenance.createdAt() + "\n\n"
                + "## Test metrics\n\n| metric | value |\n|---|---|\n" + metrics + "\n\n"
                + "## Config\n\n```yaml\n" + config + "```\n";
    }
}
