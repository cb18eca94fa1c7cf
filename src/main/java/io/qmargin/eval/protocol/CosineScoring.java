package io.qmargin.eval.protocol;

import io.qmargin.UserInputException;
import java.util.stream.IntStream;

/**
 * Cosine scoring of trials, cos(e, t) = e.t / (|e| |t|): the ids of each trial are looked up in the
 * embeddings (an unknown id is an error naming the trial's file and line), then rows are normalised
 * once and scored with a dot product.
 */
public final class CosineScoring {
  private CosineScoring() {}

  /** Row indices of the enroll (out[0]) and test (out[1]) side of every trial. */
  public static int[][] resolve(TrialList trials, Embeddings emb) {
    int n = trials.size();
    int[] e = new int[n];
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      e[i] = lookup(trials, i, trials.enroll().get(i), emb);
      t[i] = lookup(trials, i, trials.test().get(i), emb);
    }
    return new int[][] {e, t};
  }

  private static int lookup(TrialList trials, int i, String id, Embeddings emb) {
    int r = emb.row(id);
    if (r < 0) {
      throw new UserInputException(
          trials.where(i) + ": unknown id '" + id + "' (not in the keys of " + emb.file() + ")");
    }
    return r;
  }

  /** Dot products of already normalised rows. */
  public static double[] score(Embeddings normalized, int[] enroll, int[] test) {
    double[] out = new double[enroll.length];
    float[] m = normalized.data();
    int d = normalized.dim();
    IntStream.range(0, (enroll.length + 4095) / 4096)
        .parallel()
        .forEach(
            b -> {
              int end = Math.min(enroll.length, (b + 1) * 4096);
              for (int i = b * 4096; i < end; i++) {
                out[i] = Vectors.dot(m, enroll[i], m, test[i], d);
              }
            });
    return out;
  }

  /** Scores a trial list from raw embeddings. */
  public static double[] score(TrialList trials, Embeddings emb) {
    int[][] idx = resolve(trials, emb);
    return score(emb.normalized(), idx[0], idx[1]);
  }
}
