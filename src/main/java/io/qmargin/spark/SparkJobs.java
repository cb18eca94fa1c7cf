package io.qmargin.spark;

import static org.apache.spark.sql.functions.col;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.TrialList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The jobs as the command line runs them, with nothing but JDK and qmargin types in their
 * signatures (so that the command classes load without Spark on the class path). Each call opens
 * the session ({@link SparkSessions}), runs one job and stops the session it opened; an error in
 * the user's input raised in a task reaches the caller as the {@link UserInputException} it was.
 *
 * @param master the local master when not under spark-submit, e.g. {@code local[*]}
 * @param blockRows rows per block of the blocked products
 */
public record SparkJobs(String master, int blockRows) {

  /**
   * Where the samples to embed come from: (id, label, path) triples, or a table (Parquet or CSV).
   */
  public record Samples(List<String[]> idLabelPath, String table) {}

  /** What an embedding job did. */
  public record EmbedSummary(long embedded, long skipped, List<String> firstSkipped) {}

  /** All pairs of a table, gallery x probe, or a trial list (one of the three). */
  public record ScoreInput(String embeddings, String gallery, String probe, TrialList trials) {}

  public EmbedSummary embed(Samples samples, Path model, boolean audio, int batch, String out) {
    return run(
        "embed",
        spark -> {
          Dataset<Row> in =
              samples.table() != null
                  ? sampleTable(spark, samples.table())
                  : spark.createDataFrame(
                      samples.idLabelPath().stream()
                          .map(s -> RowFactory.create((Object[]) s))
                          .toList(),
                      EmbedJob.SAMPLES);
          EmbeddingTables.requireUniqueIds(
              in, samples.table() != null ? samples.table() : "the samples");
          int partitions =
              (int) Math.max(spark.sparkContext().defaultParallelism(), in.count() / 2000);
          Dataset<Row> result =
              new EmbedJob(spark, batch)
                  .run(in.repartition(partitions, col("id")), model, audio)
                  .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
          try {
            Dataset<Row> good = result.filter(col("skipped").isNull());
            Dataset<Row> bad = result.filter(col("skipped").isNotNull());
            long embedded = good.count();
            if (embedded == 0) {
              throw new UserInputException(
                  "none of the " + result.count() + " samples could be embedded");
            }
            JobOutputs.parquet(good.select("id", "label", "embedding"), out);
            List<String> reasons =
                bad.orderBy("id").limit(20).collectAsList().stream()
                    .map(r -> r.getString(3))
                    .toList();
            return new EmbedSummary(embedded, bad.count(), reasons);
          } finally {
            result.unpersist();
          }
        });
  }

  /** A Parquet or CSV (with header) table of samples: column path, optional id and label. */
  private static Dataset<Row> sampleTable(SparkSession spark, String table) {
    boolean csv = table.toLowerCase(Locale.ROOT).endsWith(".csv");
    Dataset<Row> t;
    try {
      t = csv ? spark.read().option("header", "true").csv(table) : spark.read().parquet(table);
    } catch (Exception e) { // Scala's AnalysisException is unchecked
      if (e instanceof org.apache.spark.sql.AnalysisException) {
        throw new UserInputException(table + ": not a readable table (" + e.getMessage() + ")");
      }
      throw e;
    }
    List<String> columns = Arrays.asList(t.columns());
    if (!columns.contains("path")) {
      throw new UserInputException(
          table + ": no column 'path' (a sample table has path, and optionally id and label)");
    }
    return t.selectExpr(
        columns.contains("id") ? "CAST(id AS STRING) AS id" : "path AS id",
        columns.contains("label")
            ? "CAST(label AS STRING) AS label"
            : "CAST(NULL AS STRING) AS label",
        "path");
  }

  public VerificationMetrics score(ScoreInput in, MetricOptions options) {
    return run(
        "score",
        spark -> {
          ScoreJob job =
              new ScoreJob(spark, options, blockRows, DistributedMetrics.DEFAULT_RANGE_ENTRIES);
          if (in.trials() != null) {
            return job.trials(
                EmbeddingTables.read(spark, in.embeddings()), in.trials(), in.embeddings());
          }
          if (in.gallery() != null) {
            return job.galleryProbe(
                EmbeddingTables.read(spark, in.gallery()),
                in.gallery(),
                EmbeddingTables.read(spark, in.probe()),
                in.probe());
          }
          return job.allPairs(EmbeddingTables.read(spark, in.embeddings()), in.embeddings());
        });
  }

  /** Runs the cleaning job; writes its four tables and report.md into {@code out}. */
  public String clean(
      String embeddings, String out, double mergeThreshold, double duplicateThreshold) {
    return run(
        "clean",
        spark -> {
          CleanJob.Result r =
              new CleanJob(spark, blockRows, mergeThreshold, duplicateThreshold)
                  .run(EmbeddingTables.read(spark, embeddings), embeddings);
          String dir = out.endsWith("/") ? out : out + "/";
          JobOutputs.parquet(r.centroids(), dir + "centroids.parquet");
          JobOutputs.parquet(r.mislabels(), dir + "mislabels.parquet");
          JobOutputs.parquet(r.merges(), dir + "merges.parquet");
          JobOutputs.parquet(r.duplicates(), dir + "duplicates.parquet");
          // the report reads back what was written: the same rows, no second computation
          String report =
              CleanReport.of(
                  embeddings,
                  mergeThreshold,
                  duplicateThreshold,
                  spark.read().parquet(dir + "centroids.parquet"),
                  spark.read().parquet(dir + "mislabels.parquet"),
                  spark.read().parquet(dir + "merges.parquet"),
                  spark.read().parquet(dir + "duplicates.parquet"));
          JobOutputs.text(spark, dir + "report.md", report);
          return report;
        });
  }

  /** Runs the search; writes the top-k table to {@code out}; returns the number of probes. */
  public long search(String gallery, String probe, int k, String out) {
    return run(
        "search",
        spark -> {
          Dataset<Row> top =
              new SearchJob(spark, blockRows)
                  .topK(
                      EmbeddingTables.read(spark, probe),
                      probe,
                      EmbeddingTables.read(spark, gallery),
                      gallery,
                      k);
          JobOutputs.parquet(top, out);
          return spark.read().parquet(out).select("probe_id").distinct().count();
        });
  }

  /** All pairs of synthetic embeddings on Spark and on one machine (see {@link ScoreBenchmark}). */
  public ScoreBenchmark.Result benchScore(ScoreBenchmark.Config config) {
    return run("bench score", spark -> ScoreBenchmark.run(spark, config, blockRows));
  }

  private <T> T run(String job, Function<SparkSession, T> body) {
    boolean existed = SparkSession.getDefaultSession().isDefined();
    SparkSession spark = SparkSessions.get(master, "qmargin spark " + job);
    try {
      return body.apply(spark);
    } catch (Exception e) { // Spark's exceptions are checked ones that Scala throws undeclared
      UserInputException u = userError(e);
      throw u != null ? u : SparkJobs.<RuntimeException>rethrow(e);
    } finally {
      if (!existed) {
        spark.stop();
      }
    }
  }

  /** The user-input error behind a failed task or job (its cause chain), else null. */
  static UserInputException userError(Throwable e) {
    List<Throwable> seen = new ArrayList<>();
    for (Throwable t = e; t != null && !seen.contains(t); t = t.getCause()) {
      seen.add(t);
      if (t instanceof UserInputException u) {
        return u;
      }
    }
    return null;
  }

  /** Throws {@code e} as it is, checked or not (Spark's exceptions are undeclared). */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }
}
