package io.qmargin.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import io.qmargin.UserInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Embedding tables: Parquet with columns {@code id} (string, unique), {@code label} (string; the
 * identity or speaker, may be null where no label is needed) and {@code embedding} (array of
 * float), as {@code qmargin spark embed} writes them; and their partitions as {@link
 * EmbeddingBlock}s.
 */
public final class EmbeddingTables {
  private EmbeddingTables() {}

  /** Rows (not more) per block by default: a pair of blocks is then at most 16.8M scores. */
  public static final int DEFAULT_BLOCK_ROWS = 4096;

  /** The schema of an embedding table. */
  public static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("label", DataTypes.StringType, true)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /** Reads an embedding table; a missing column is an error naming the path. */
  public static Dataset<Row> read(SparkSession spark, String path) {
    Dataset<Row> t;
    try {
      t = spark.read().parquet(path);
    } catch (Exception e) { // Scala's AnalysisException (a missing path, not Parquet) is unchecked
      if (e instanceof org.apache.spark.sql.AnalysisException) {
        throw new UserInputException(
            path + ": not a readable Parquet table (" + e.getMessage() + ")");
      }
      throw e;
    }
    List<String> columns = Arrays.asList(t.columns());
    for (String c : List.of("id", "label", "embedding")) {
      if (!columns.contains(c)) {
        throw new UserInputException(
            path + ": no column '" + c + "' (an embedding table has id, label, embedding)");
      }
    }
    return t.select("id", "label", "embedding");
  }

  /** A table of in-memory embeddings (rows × dim, row-major), e.g. for tests and benchmarks. */
  public static Dataset<Row> of(
      SparkSession spark, String[] ids, String[] labels, float[] data, int dim) {
    List<Row> rows = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      Float[] e = new Float[dim];
      for (int k = 0; k < dim; k++) {
        e[k] = data[i * dim + k];
      }
      rows.add(RowFactory.create(ids[i], labels == null ? null : labels[i], e));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** The dimension of the first row's embedding (the one every row must have). */
  public static int dimension(Dataset<Row> table, String source) {
    List<Row> first = table.select(size(col("embedding"))).limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new UserInputException(source + ": no embeddings (empty table?)");
    }
    int dim = first.get(0).getInt(0);
    if (dim <= 0) {
      throw new UserInputException(source + ": empty embedding vectors");
    }
    return dim;
  }

  /** Refuses a table (of embeddings or samples) where an id appears twice, naming the id. */
  public static void requireUniqueIds(Dataset<Row> table, String source) {
    List<Row> dup = table.groupBy("id").count().filter(col("count").gt(1)).limit(1).collectAsList();
    if (!dup.isEmpty()) {
      throw new UserInputException(
          source + ": duplicate id '" + dup.get(0).getString(0) + "' (ids must be unique)");
    }
  }

  /**
   * The table cut into blocks of at most about {@code blockRows} rows, one block per partition
   * (rows placed by a hash of their id, so that a retried task rebuilds the same block), persisted.
   * Ids must be unique.
   */
  public static JavaRDD<EmbeddingBlock> blocks(
      Dataset<Row> table, int blockRows, int minBlocks, String source) {
    int dim = dimension(table, source);
    requireUniqueIds(table, source);
    long rows = table.count();
    int partitions =
        (int) Math.max(minBlocks, Math.min(1 << 20, (rows + blockRows - 1) / blockRows));
    return table
        .repartition(partitions, col("id"))
        .javaRDD()
        .mapPartitionsWithIndex(
            (index, it) -> List.of(EmbeddingBlock.of(index, it, dim, source)).iterator(), true)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }
}
