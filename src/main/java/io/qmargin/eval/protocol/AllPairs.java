package io.qmargin.eval.protocol;

/**
 * The all-pairs protocol of a labelled set of embeddings: every unordered pair (i, j), i &lt; j, is
 * a trial, a target when both have the same label. n images give n(n−1)/2 trials, which is what
 * makes FAR 1e-4 and below measurable on a few thousand held-out images.
 */
public final class AllPairs {
  private AllPairs() {}

  /**
   * Cosine scores of all pairs, split into targets and non-targets.
   *
   * @param embeddings n × d, row-major; rows are normalised here (a copy)
   */
  public static LabeledScores score(String source, float[] embeddings, int dim, int[] labels) {
    int n = labels.length;
    if ((long) n * dim != embeddings.length) {
      throw new IllegalArgumentException(
          n + " labels for " + embeddings.length / Math.max(1, dim) + " embeddings");
    }
    float[] e = embeddings.clone();
    for (int i = 0; i < n; i++) {
      Vectors.normalizeRow(e, i, dim);
    }
    long targets = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        if (labels[i] == labels[j]) {
          targets++;
        }
      }
    }
    long total = (long) n * (n - 1) / 2;
    double[] tg = new double[Math.toIntExact(targets)];
    double[] nt = new double[Math.toIntExact(total - targets)];
    int t = 0;
    int u = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double s = Vectors.dot(e, i, e, j, dim);
        if (labels[i] == labels[j]) {
          tg[t++] = s;
        } else {
          nt[u++] = s;
        }
      }
    }
    return LabeledScores.of(source, tg, nt);
  }
}
