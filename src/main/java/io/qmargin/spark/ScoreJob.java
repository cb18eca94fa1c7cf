package io.qmargin.spark;

import static org.apache.spark.sql.functions.col;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.TrialList;
import io.qmargin.eval.protocol.Vectors;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Exhaustive cosine scoring on Spark with exact metrics ({@link DistributedMetrics}): all pairs of
 * a labelled table (a target when both labels are equal), every gallery × probe pair (the same
 * rule), or the trials of a trial list. Pairs of blocks are scored by {@link
 * EmbeddingBlock#scorePairs}, one pair of partitions per task; each task keeps only its {@link
 * ScoreHistogram}. Scores and metrics equal {@code qmargin eval}'s on the same embeddings.
 *
 * @param blockRows rows per block (see {@link EmbeddingTables#blocks})
 * @param rangeEntries distinct scores per range of the exact metrics (driver memory)
 */
public record ScoreJob(SparkSession spark, MetricOptions options, int blockRows, int rangeEntries) {

  /** All pairs i &lt; j of a labelled table. */
  public VerificationMetrics allPairs(Dataset<Row> table, String source) {
    JavaRDD<EmbeddingBlock> blocks = blocks(table, source);
    try {
      JavaRDD<ScoreHistogram> h =
          blocks
              .cartesian(blocks)
              .filter(p -> p._1().index() <= p._2().index())
              .map(p -> histogram(p._1(), p._2(), true));
      return DistributedMetrics.compute(h, options, rangeEntries, source);
    } finally {
      blocks.unpersist(false);
    }
  }

  /** Every (gallery, probe) pair; a target when their labels are equal. */
  public VerificationMetrics galleryProbe(
      Dataset<Row> gallery, String gallerySource, Dataset<Row> probe, String probeSource) {
    JavaRDD<EmbeddingBlock> g = blocks(gallery, gallerySource);
    JavaRDD<EmbeddingBlock> p = blocks(probe, probeSource);
    try {
      JavaRDD<ScoreHistogram> h = g.cartesian(p).map(q -> histogram(q._1(), q._2(), false));
      return DistributedMetrics.compute(
          h, options, rangeEntries, gallerySource + " x " + probeSource);
    } finally {
      g.unpersist(false);
      p.unpersist(false);
    }
  }

  /**
   * The trials of a trial list (read on the driver); an id missing from the table is an error
   * naming the trial's line.
   */
  public VerificationMetrics trials(Dataset<Row> table, TrialList trials, String source) {
    List<Row> rows = new ArrayList<>(trials.size());
    for (int i = 0; i < trials.size(); i++) {
      rows.add(
          RowFactory.create(
              (long) i, trials.enroll().get(i), trials.test().get(i), trials.isTarget()[i]));
    }
    StructType schema =
        new StructType()
            .add("trial", DataTypes.LongType)
            .add("enroll", DataTypes.StringType)
            .add("test", DataTypes.StringType)
            .add("target", DataTypes.BooleanType);
    int partitions = Math.max(spark.sparkContext().defaultParallelism(), trials.size() / 1_000_000);
    Dataset<Row> t = spark.createDataFrame(rows, schema).repartition(partitions, col("trial"));
    Dataset<Row> e = table.select(col("id"), col("embedding"));
    Dataset<Row> joined =
        t.join(
                e.withColumnRenamed("id", "enroll").withColumnRenamed("embedding", "ea"),
                "enroll",
                "left")
            .join(
                e.withColumnRenamed("id", "test").withColumnRenamed("embedding", "eb"),
                "test",
                "left")
            .select("trial", "enroll", "test", "target", "ea", "eb");
    List<Row> missing =
        joined
            .filter(col("ea").isNull().or(col("eb").isNull()))
            .orderBy("trial")
            .limit(1)
            .collectAsList();
    if (!missing.isEmpty()) {
      Row m = missing.get(0);
      int i = (int) m.getLong(0);
      String id = m.isNullAt(4) ? m.getString(1) : m.getString(2);
      throw new UserInputException(
          trials.where(i) + ": unknown id '" + id + "' (not in the ids of " + source + ")");
    }
    int dim = EmbeddingTables.dimension(table, source);
    JavaRDD<ScoreHistogram> h =
        joined
            .javaRDD()
            .mapPartitions(
                it -> {
                  ScoreHistogram.Builder b = new ScoreHistogram.Builder();
                  float[] pair = new float[2 * dim];
                  while (it.hasNext()) {
                    Row r = it.next();
                    EmbeddingBlock.readEmbedding(r, 4, pair, 0, dim, source, r.getString(1));
                    EmbeddingBlock.readEmbedding(r, 5, pair, dim, dim, source, r.getString(2));
                    if (!Vectors.normalizeRow(pair, 0, dim)
                        || !Vectors.normalizeRow(pair, 1, dim)) {
                      throw new UserInputException(
                          source
                              + ": a zero embedding in trial "
                              + r.getString(1)
                              + " "
                              + r.getString(2)
                              + ": its cosine score is undefined");
                    }
                    b.add(Vectors.dot(pair, 0, pair, 1, dim), r.getBoolean(3));
                  }
                  FaultInjection.check();
                  return List.of(b.build()).iterator();
                });
    return DistributedMetrics.compute(h, options, rangeEntries, source);
  }

  private JavaRDD<EmbeddingBlock> blocks(Dataset<Row> table, String source) {
    return EmbeddingTables.blocks(
        table, blockRows, spark.sparkContext().defaultParallelism(), source);
  }

  /** The histogram of the scores of one pair of blocks (labels equal: a target). */
  static ScoreHistogram histogram(EmbeddingBlock a, EmbeddingBlock b, boolean sameTable) {
    ScoreHistogram.Builder h = new ScoreHistogram.Builder();
    String[] la = a.labels();
    String[] lb = b.labels();
    a.scorePairs(b, sameTable, (i, j, s) -> h.add(s, la[i].equals(lb[j])));
    FaultInjection.check();
    return h.build();
  }
}
