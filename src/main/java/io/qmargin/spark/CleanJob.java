package io.qmargin.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Dataset cleaning on Spark, from the embeddings of a labelled training set (cosines of unit-norm
 * embeddings throughout):
 *
 * <ul>
 *   <li>centroids: per label, the normalised sum of its unit-norm embeddings;
 *   <li>mislabel candidates: images whose best other-identity centroid is more similar than their
 *       own identity's centroid without them (leave-one-out, so that an image does not vouch for
 *       itself; identities of one image have no such centroid and are left out);
 *   <li>merge candidates: identity pairs whose centroids' cosine is at least {@code
 *       mergeThreshold};
 *   <li>near-duplicates: image pairs whose cosine is at least {@code duplicateThreshold}.
 * </ul>
 *
 * @param blockRows rows per block (see {@link EmbeddingTables#blocks})
 */
public record CleanJob(
    SparkSession spark, int blockRows, double mergeThreshold, double duplicateThreshold) {

  /** The four outputs. */
  public record Result(
      Dataset<Row> centroids,
      Dataset<Row> mislabels,
      Dataset<Row> merges,
      Dataset<Row> duplicates) {}

  public static final StructType CENTROIDS =
      new StructType()
          .add("label", DataTypes.StringType, false)
          .add("images", DataTypes.LongType, false)
          .add("centroid", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  public static final StructType MISLABELS =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("label", DataTypes.StringType, false)
          .add("own_similarity", DataTypes.DoubleType, false)
          .add("best_other_label", DataTypes.StringType, false)
          .add("best_other_similarity", DataTypes.FloatType, false);

  public static final StructType MERGES =
      new StructType()
          .add("label_a", DataTypes.StringType, false)
          .add("label_b", DataTypes.StringType, false)
          .add("similarity", DataTypes.FloatType, false);

  public static final StructType DUPLICATES =
      new StructType()
          .add("id_a", DataTypes.StringType, false)
          .add("label_a", DataTypes.StringType, true)
          .add("id_b", DataTypes.StringType, false)
          .add("label_b", DataTypes.StringType, true)
          .add("similarity", DataTypes.FloatType, false);

  public Result run(Dataset<Row> table, String source) {
    int minBlocks = spark.sparkContext().defaultParallelism();
    JavaRDD<EmbeddingBlock> images = EmbeddingTables.blocks(table, blockRows, minBlocks, source);

    // per label: the sum of its unit-norm embeddings (in double) and its size
    JavaPairRDD<String, Sum> sums =
        images
            .flatMapToPair(
                b -> {
                  Map<String, Sum> local = new HashMap<>();
                  for (int i = 0; i < b.size(); i++) {
                    local.computeIfAbsent(b.labels()[i], l -> new Sum(b.dim())).add(b, i);
                  }
                  List<Tuple2<String, Sum>> out = new ArrayList<>();
                  local.forEach((l, s) -> out.add(new Tuple2<>(l, s)));
                  return out.iterator();
                })
            .reduceByKey(Sum::plus)
            .cache();
    Dataset<Row> centroids =
        spark.createDataFrame(
            sums.map(t -> RowFactory.create(t._1(), t._2().count, t._2().centroid())), CENTROIDS);
    Dataset<Row> centroidTable =
        centroids.selectExpr("label AS id", "label", "centroid AS embedding");
    JavaRDD<EmbeddingBlock> centroidBlocks =
        EmbeddingTables.blocks(centroidTable, blockRows, minBlocks, source + " (centroids)");

    // own similarity: the image against its identity's centroid without it
    JavaPairRDD<String, Double> own =
        images
            .flatMapToPair(
                b -> {
                  List<Tuple2<String, Tuple2<String, float[]>>> out = new ArrayList<>();
                  for (int i = 0; i < b.size(); i++) {
                    float[] e =
                        java.util.Arrays.copyOfRange(b.data(), i * b.dim(), (i + 1) * b.dim());
                    out.add(new Tuple2<>(b.labels()[i], new Tuple2<>(b.ids()[i], e)));
                  }
                  return out.iterator();
                })
            .join(sums)
            .mapToPair(
                t -> new Tuple2<>(t._2()._1()._1(), t._2()._2().leaveOneOut(t._2()._1()._2())))
            .filter(t -> !Double.isNaN(t._2()));
    JavaRDD<Row> mislabels =
        BlockedSearch.topK(images, centroidBlocks, 2)
            .join(own)
            .flatMap(
                t -> {
                  String label = t._2()._1()._1();
                  Neighbours n = t._2()._1()._2();
                  double ownSimilarity = t._2()._2();
                  for (int r = 0; r < n.size(); r++) {
                    if (!n.label(r).equals(label)) {
                      return n.score(r) > ownSimilarity
                          ? List.of(
                                  RowFactory.create(
                                      t._1(), label, ownSimilarity, n.label(r), n.score(r)))
                              .iterator()
                          : List.<Row>of().iterator();
                    }
                  }
                  return List.<Row>of().iterator();
                });
    JavaRDD<Row> merges =
        BlockedSearch.pairsAbove(centroidBlocks, mergeThreshold)
            .map(r -> RowFactory.create(r.getString(0), r.getString(2), r.getFloat(4)));
    JavaRDD<Row> duplicates = BlockedSearch.pairsAbove(images, duplicateThreshold);
    return new Result(
        centroids,
        spark.createDataFrame(mislabels, MISLABELS),
        spark.createDataFrame(merges, MERGES),
        spark.createDataFrame(duplicates, DUPLICATES));
  }

  /** The sum of some unit-norm embeddings of one label, in double, and their number. */
  static final class Sum implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final double[] sum;
    long count;

    Sum(int dim) {
      sum = new double[dim];
    }

    void add(EmbeddingBlock b, int row) {
      int d = b.dim();
      for (int k = 0; k < d; k++) {
        sum[k] += b.data()[row * d + k];
      }
      count++;
    }

    Sum plus(Sum o) {
      Sum s = new Sum(sum.length);
      for (int k = 0; k < sum.length; k++) {
        s.sum[k] = sum[k] + o.sum[k];
      }
      s.count = count + o.count;
      return s;
    }

    /** The normalised sum, as float. */
    float[] centroid() {
      double norm = Math.sqrt(dot(sum, sum));
      float[] c = new float[sum.length];
      for (int k = 0; k < c.length; k++) {
        c[k] = (float) (sum[k] / norm);
      }
      return c;
    }

    /**
     * The cosine of unit-norm {@code e} (one of the summed embeddings) and the sum of the others;
     * NaN when there are no others (or they sum to zero).
     */
    double leaveOneOut(float[] e) {
      if (count < 2) {
        return Double.NaN;
      }
      double[] rest = sum.clone();
      double dot = 0;
      for (int k = 0; k < rest.length; k++) {
        rest[k] -= e[k];
        dot += e[k] * rest[k];
      }
      double norm = Math.sqrt(dot(rest, rest));
      return norm == 0 ? Double.NaN : dot / norm;
    }

    private static double dot(double[] a, double[] b) {
      double s = 0;
      for (int k = 0; k < a.length; k++) {
        s += a[k] * b[k];
      }
      return s;
    }
  }
}
