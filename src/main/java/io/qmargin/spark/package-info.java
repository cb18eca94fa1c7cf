/**
 * Jobs on Apache Spark: embedding ({@link io.qmargin.spark.EmbedJob}), exhaustive scoring with
 * exact metrics ({@link io.qmargin.spark.ScoreJob}), dataset cleaning ({@link
 * io.qmargin.spark.CleanJob}) and 1:N search ({@link io.qmargin.spark.SearchJob}). Embedding tables
 * are Parquet with columns {@code id} (string, unique), {@code label} (string) and {@code
 * embedding} (array of float). The jobs reuse the single-machine code: the model and preprocessing
 * of {@code qmargin embed}, the float dot product of {@link io.qmargin.eval.protocol.Vectors} and
 * the operating-point sweep of {@link io.qmargin.eval.metrics.OperatingPointSweep}, so that their
 * numbers equal {@code qmargin eval}'s.
 */
package io.qmargin.spark;
