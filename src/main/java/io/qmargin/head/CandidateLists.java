package io.qmargin.head;

import java.util.Arrays;

/**
 * Per sample of a batch, the candidate classes collected by the sparse head's streaming pass and
 * their (approximate) cosines: growable parallel arrays, pruned in place as the support threshold's
 * lower bound rises.
 */
final class CandidateLists {
  private final int[][] classes;
  private final float[][] cosines;
  private final int[] sizes;

  CandidateLists(int samples) {
    classes = new int[samples][16];
    cosines = new float[samples][16];
    sizes = new int[samples];
  }

  int samples() {
    return sizes.length;
  }

  void add(int sample, int cls, float cos) {
    int n = sizes[sample];
    if (n == classes[sample].length) {
      classes[sample] = Arrays.copyOf(classes[sample], 2 * n);
      cosines[sample] = Arrays.copyOf(cosines[sample], 2 * n);
    }
    classes[sample][n] = cls;
    cosines[sample][n] = cos;
    sizes[sample] = n + 1;
  }

  /** Drops the candidates of a sample whose cosine is at most {@code limit}. */
  void removeAtMost(int sample, double limit) {
    int[] c = classes[sample];
    float[] v = cosines[sample];
    int kept = 0;
    for (int i = 0; i < sizes[sample]; i++) {
      if (v[i] > limit) {
        c[kept] = c[i];
        v[kept] = v[i];
        kept++;
      }
    }
    sizes[sample] = kept;
  }

  int size(int sample) {
    return sizes[sample];
  }

  /** The sample's classes; only the first {@link #size} entries are valid. */
  int[] classes(int sample) {
    return classes[sample];
  }

  /** The sample's cosines; only the first {@link #size} entries are valid. */
  float[] cosines(int sample) {
    return cosines[sample];
  }

  int total() {
    int t = 0;
    for (int n : sizes) {
      t += n;
    }
    return t;
  }

  int largest() {
    int m = 0;
    for (int n : sizes) {
      m = Math.max(m, n);
    }
    return m;
  }
}
