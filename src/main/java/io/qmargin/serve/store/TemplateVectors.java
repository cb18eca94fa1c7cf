package io.qmargin.serve.store;

import io.qmargin.eval.protocol.Vectors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The vector arithmetic of templates: L2 normalisation, IJB-style pooling (the normalised mean of
 * the normalised sample embeddings), and the storage format of a vector (float32, little-endian, 4
 * bytes per component).
 */
public final class TemplateVectors {
  private TemplateVectors() {}

  /**
   * A unit-length copy of {@code v} (computed in double precision).
   *
   * @throws IllegalArgumentException if {@code v} has the wrong length, a non-finite component or
   *     is zero
   */
  public static float[] normalized(float[] v, int dimension) {
    check(v, dimension);
    double norm = Math.sqrt(squaredNorm(v));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  /**
   * The template of a set of samples: the L2-normalised mean of their L2-normalised embeddings.
   *
   * @throws IllegalArgumentException if there is no sample, or one is invalid (see {@link
   *     #normalized}), or the mean is zero
   */
  public static float[] pool(List<float[]> embeddings, int dimension) {
    if (embeddings.isEmpty()) {
      throw new IllegalArgumentException("no sample embeddings to pool");
    }
    double[] sum = new double[dimension];
    for (int s = 0; s < embeddings.size(); s++) {
      float[] e = embeddings.get(s);
      try {
        check(e, dimension);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("sample " + (s + 1) + ": " + ex.getMessage(), ex);
      }
      double norm = Math.sqrt(squaredNorm(e));
      for (int i = 0; i < dimension; i++) {
        sum[i] += e[i] / norm;
      }
    }
    double total = 0;
    for (double x : sum) {
      total += x * x;
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("the sample embeddings cancel out: their mean is zero");
    }
    double norm = Math.sqrt(total);
    float[] out = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      out[i] = (float) (sum[i] / norm);
    }
    return out;
  }

  /**
   * Dot product of row {@code row} of a row-major matrix with {@code p}, in float: the evaluation
   * library's kernel, so that a served score equals the score {@code eval} computes.
   */
  static float dot(float[] matrix, int row, float[] p) {
    return Vectors.dot(matrix, row, p, 0, p.length);
  }

  /** The storage bytes of a vector. */
  public static byte[] toBytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /**
   * A vector read back from its storage bytes.
   *
   * @throws IllegalStateException if the bytes are not {@code dimension} floats
   */
  public static float[] fromBytes(byte[] bytes, int dimension) {
    if (bytes.length != dimension * Float.BYTES) {
      throw new IllegalStateException(
          "stored vector has "
              + bytes.length
              + " bytes, expected "
              + dimension * Float.BYTES
              + " ("
              + dimension
              + " floats)");
    }
    float[] v = new float[dimension];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  private static void check(float[] v, int dimension) {
    if (v.length != dimension) {
      throw new IllegalArgumentException(
          "embedding has " + v.length + " components, the model's have " + dimension);
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException("embedding component " + i + " is " + v[i]);
      }
    }
    if (!(squaredNorm(v) > 0)) {
      throw new IllegalArgumentException("embedding is all zeros");
    }
  }

  private static double squaredNorm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return s;
  }
}
