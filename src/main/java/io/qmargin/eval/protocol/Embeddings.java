package io.qmargin.eval.protocol;

import io.qmargin.UserInputException;
import io.qmargin.io.Npy;
import io.qmargin.io.TextScanner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Embeddings as rows of a float matrix with an id per row: an {@code .npy} array of shape (N, d),
 * float32 or float64, and a keys file with one id per line (line i names row i).
 *
 * @param data row-major N x d values
 */
public record Embeddings(
    Path file, String[] keys, float[] data, int dim, Map<String, Integer> index) {

  public int size() {
    return keys.length;
  }

  /** Row of an id, or -1. */
  public int row(String key) {
    Integer r = index.get(key);
    return r == null ? -1 : r;
  }

  /** Reads the matrix and its keys; every value must be finite. */
  public static Embeddings read(Path npy, Path keysFile) {
    float[][] holder = new float[1][];
    int[] shape = readMatrix(npy, holder);
    String[] keys = readKeys(keysFile);
    if (keys.length != shape[0]) {
      throw new UserInputException(
          keysFile + ": " + keys.length + " keys for the " + shape[0] + " rows of " + npy);
    }
    return of(npy, keys, holder[0], shape[1], keysFile.toString());
  }

  /** Wraps an in-memory matrix; keys must be unique. */
  public static Embeddings of(Path file, String[] keys, float[] data, int dim, String keySource) {
    Map<String, Integer> index = new HashMap<>(keys.length * 2);
    for (int i = 0; i < keys.length; i++) {
      Integer prev = index.put(keys[i], i);
      if (prev != null) {
        throw new UserInputException(
            keySource
                + ":"
                + (i + 1)
                + ": duplicate id '"
                + keys[i]
                + "' (also on line "
                + (prev + 1)
                + ")");
      }
    }
    return new Embeddings(file, keys, data, dim, index);
  }

  /** Reads an (N, d) float .npy into out[0]; returns {N, d}. Non-finite values are rejected. */
  public static int[] readMatrix(Path npy, float[][] out) {
    Npy.Array a = Npy.read(npy).requireRank(2, "embeddings").requireFloating("embeddings");
    long n = a.shape()[0];
    long d = a.shape()[1];
    if (n == 0 || d == 0) {
      throw new UserInputException(
          npy + ": empty embedding matrix of shape " + Npy.shapeString(a.shape()));
    }
    float[] data = new float[Math.toIntExact(n * d)];
    ByteBuffer buf = a.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (a.dtype() == Npy.DType.FLOAT32) {
      buf.asFloatBuffer().get(data);
    } else {
      var db = buf.asDoubleBuffer();
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) db.get(i);
      }
    }
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new UserInputException(
            npy + ": row " + (i / d) + " holds a non-finite value (" + data[i] + ")");
      }
    }
    out[0] = data;
    return new int[] {(int) n, (int) d};
  }

  /** One id per line (the first and only field; {@code #} comments and blank lines are skipped). */
  public static String[] readKeys(Path keysFile) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    try (TextScanner sc = new TextScanner(keysFile)) {
      while (sc.next()) {
        sc.expectFields(1, "id");
        keys.add(sc.field(0));
      }
    }
    if (keys.isEmpty()) {
      throw new UserInputException(keysFile + ": no ids (empty file?)");
    }
    return keys.toArray(new String[0]);
  }

  /** The mean row (the column means, accumulated in double precision). */
  public double[] mean() {
    double[] m = new double[dim];
    for (int i = 0; i < keys.length; i++) {
      for (int k = 0; k < dim; k++) {
        m[k] += data[i * dim + k];
      }
    }
    for (int k = 0; k < dim; k++) {
      m[k] /= keys.length;
    }
    return m;
  }

  /**
   * A copy with {@code mean} subtracted from every row (wespeaker's mean normalisation before
   * cosine scoring); {@code source} names the mean in the dimension error.
   */
  public Embeddings minus(double[] mean, String source) {
    if (mean.length != dim) {
      throw new UserInputException(
          source
              + ": mean of dimension "
              + mean.length
              + ", the embeddings of "
              + file
              + " have "
              + dim);
    }
    float[] out = new float[data.length];
    for (int i = 0; i < keys.length; i++) {
      for (int k = 0; k < dim; k++) {
        out[i * dim + k] = (float) (data[i * dim + k] - mean[k]);
      }
    }
    return new Embeddings(file, keys, out, dim, index);
  }

  /** A mean embedding saved as .npy: shape (d) or (1, d), float32 or float64, finite values. */
  public static double[] readMean(Path npy) {
    Npy.Array a = Npy.read(npy).requireFloating("mean embedding");
    long[] shape = a.shape();
    if (!(shape.length == 1 || (shape.length == 2 && shape[0] == 1)) || a.size() == 0) {
      throw new UserInputException(
          npy + ": a mean embedding must have shape (d) or (1, d), got " + Npy.shapeString(shape));
    }
    double[] m = a.toDoubles();
    for (int k = 0; k < m.length; k++) {
      if (!Double.isFinite(m[k])) {
        throw new UserInputException(
            npy + ": value " + k + " of the mean embedding is not finite (" + m[k] + ")");
      }
    }
    return m;
  }

  /** A copy with every row scaled to unit L2 norm; a zero row is an error naming its id. */
  public Embeddings normalized() {
    float[] out = data.clone();
    for (int i = 0; i < keys.length; i++) {
      if (!Vectors.normalizeRow(out, i, dim)) {
        throw new UserInputException(
            file
                + ": row "
                + i
                + " ('"
                + keys[i]
                + "') has zero norm: its cosine score is undefined");
      }
    }
    return new Embeddings(file, keys, out, dim, index);
  }
}
