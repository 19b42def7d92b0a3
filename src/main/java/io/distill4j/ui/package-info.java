/**
 * DL4J's training UI: every run records its training statistics ({@code StatsListener}) to a
 * {@code FileStatsStorage} file in its run folder, with the distillation loss terms as extra workers, and
 * {@link io.distill4j.ui.TrainingUi} serves live or finished runs on {@code http://localhost:<port>/train}.
 */
package io.distill4j.ui;
