package io.qmargin.spark;

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
 * 1:N search on Spark: the exact top k of every probe against a partitioned gallery, by cosine (the
 * score of {@code eval}); equal scores ranked by gallery id.
 *
 * @param blockRows rows per block (see {@link EmbeddingTables#blocks})
 */
public record SearchJob(SparkSession spark, int blockRows) {

  /** The output's columns: one row per probe and rank (1 = best). */
  public static final StructType SCHEMA =
      new StructType()
          .add("probe_id", DataTypes.StringType, false)
          .add("probe_label", DataTypes.StringType, true)
          .add("rank", DataTypes.IntegerType, false)
          .add("gallery_id", DataTypes.StringType, false)
          .add("gallery_label", DataTypes.StringType, true)
          .add("score", DataTypes.FloatType, false);

  public Dataset<Row> topK(
      Dataset<Row> probes, String probeSource, Dataset<Row> gallery, String gallerySource, int k) {
    if (k < 1) {
      throw new io.qmargin.UserInputException("k must be at least 1, got " + k);
    }
    int minBlocks = spark.sparkContext().defaultParallelism();
    JavaRDD<EmbeddingBlock> q = EmbeddingTables.blocks(probes, blockRows, minBlocks, probeSource);
    JavaRDD<EmbeddingBlock> g =
        EmbeddingTables.blocks(gallery, blockRows, minBlocks, gallerySource);
    JavaRDD<Row> rows =
        BlockedSearch.topK(q, g, k)
            .flatMap(
                t -> {
                  Neighbours n = t._2()._2();
                  List<Row> out = new ArrayList<>(n.size());
                  for (int r = 0; r < n.size(); r++) {
                    out.add(
                        RowFactory.create(
                            t._1(), t._2()._1(), r + 1, n.id(r), n.label(r), n.score(r)));
                  }
                  return out.iterator();
                });
    return spark.createDataFrame(rows, SCHEMA);
  }
}
