package io.qmargin.eval.protocol;

/** Float vector kernels on row-major matrices, written so the JIT keeps several sums in flight. */
public final class Vectors {
  private Vectors() {}

  /** Dot product of row i of a and row j of b (both with d columns). */
  public static float dot(float[] a, int i, float[] b, int j, int d) {
    int oa = i * d;
    int ob = j * d;
    // Eight independent partial sums: a single running sum would serialise on the add latency.
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int k = 0;
    for (; k + 8 <= d; k += 8) {
      s0 += a[oa + k] * b[ob + k];
      s1 += a[oa + k + 1] * b[ob + k + 1];
      s2 += a[oa + k + 2] * b[ob + k + 2];
      s3 += a[oa + k + 3] * b[ob + k + 3];
      s4 += a[oa + k + 4] * b[ob + k + 4];
      s5 += a[oa + k + 5] * b[ob + k + 5];
      s6 += a[oa + k + 6] * b[ob + k + 6];
      s7 += a[oa + k + 7] * b[ob + k + 7];
    }
    for (; k < d; k++) {
      s0 += a[oa + k] * b[ob + k];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** Scales row i to unit L2 norm (computed in double); false if the row is all zeros. */
  public static boolean normalizeRow(float[] m, int i, int d) {
    double ss = 0;
    int o = i * d;
    for (int k = 0; k < d; k++) {
      ss += (double) m[o + k] * m[o + k];
    }
    if (ss == 0) {
      return false;
    }
    double inv = 1 / Math.sqrt(ss);
    for (int k = 0; k < d; k++) {
      m[o + k] = (float) (m[o + k] * inv);
    }
    return true;
  }
}
