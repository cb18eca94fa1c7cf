package io.qmargin.spark;

import io.qmargin.UserInputException;
import io.qmargin.eval.protocol.Vectors;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The rows of one partition of an embedding table as a row-major float matrix, each row scaled to
 * unit L2 norm as {@code qmargin eval} scales it ({@link Vectors#normalizeRow}), so that a dot
 * product of two rows is the cosine score {@code eval} computes, bit for bit.
 *
 * @param index the partition's index: orders blocks, so that each unordered pair of blocks is
 *     scored once
 * @param data rows × dim normalised values
 */
public record EmbeddingBlock(int index, String[] ids, String[] labels, float[] data, int dim)
    implements Serializable {

  public int size() {
    return ids.length;
  }

  /**
   * The block of one partition's rows (id, label, embedding); every embedding must have {@code dim}
   * finite values and a non-zero norm (else a {@link UserInputException} naming the id).
   */
  public static EmbeddingBlock of(int index, Iterator<Row> rows, int dim, String source) {
    List<String> ids = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    float[] data = new float[1024 * dim];
    while (rows.hasNext()) {
      Row r = rows.next();
      String id = r.getString(0);
      int n = ids.size();
      if ((long) (n + 1) * dim > data.length) {
        data = java.util.Arrays.copyOf(data, Math.toIntExact(Math.max(data.length * 2L, dim)));
      }
      readEmbedding(r, 2, data, n * dim, dim, source, id);
      if (!Vectors.normalizeRow(data, n, dim)) {
        throw new UserInputException(
            source
                + ": the embedding of '"
                + id
                + "' has zero norm: its cosine score is undefined");
      }
      ids.add(id);
      labels.add(r.isNullAt(1) ? "" : r.getString(1));
    }
    return new EmbeddingBlock(
        index,
        ids.toArray(new String[0]),
        labels.toArray(new String[0]),
        java.util.Arrays.copyOf(data, ids.size() * dim),
        dim);
  }

  /** Copies column {@code col} of {@code r} (an array of floats) into {@code out} at {@code at}. */
  static void readEmbedding(
      Row r, int col, float[] out, int at, int dim, String source, String id) {
    if (id == null) {
      throw new UserInputException(source + ": a row without id");
    }
    if (r.isNullAt(col)) {
      throw new UserInputException(source + ": '" + id + "' has no embedding");
    }
    List<Object> values = r.getList(col);
    if (values.size() != dim) {
      throw new UserInputException(
          source
              + ": the embedding of '"
              + id
              + "' has "
              + values.size()
              + " values, the first row's has "
              + dim);
    }
    for (int k = 0; k < dim; k++) {
      Object v = values.get(k);
      float f = v == null ? Float.NaN : ((Number) v).floatValue();
      if (!Float.isFinite(f)) {
        throw new UserInputException(
            source + ": the embedding of '" + id + "' holds a non-finite value (" + f + ")");
      }
      out[at + k] = f;
    }
  }

  /** Receives the score of row i of one block and row j of another. */
  @FunctionalInterface
  public interface PairConsumer {
    void accept(int i, int j, float score);
  }

  /**
   * Scores every pair of a row of this block and a row of {@code other}; when both come from one
   * table ({@code sameTable}) and are the same block, only the pairs i &lt; j. Scores are {@link
   * Vectors#dot} of the normalised rows, with -0 turned into +0 (as {@code eval} counts them).
   */
  public void scorePairs(EmbeddingBlock other, boolean sameTable, PairConsumer consumer) {
    if (other.dim != dim) {
      throw new UserInputException(
          "embeddings of dimension " + dim + " and " + other.dim + " cannot be compared");
    }
    boolean self = sameTable && other.index == index;
    for (int i = 0; i < size(); i++) {
      for (int j = self ? i + 1 : 0; j < other.size(); j++) {
        consumer.accept(i, j, Vectors.dot(data, i, other.data, j, dim) + 0.0f);
      }
    }
  }
}
