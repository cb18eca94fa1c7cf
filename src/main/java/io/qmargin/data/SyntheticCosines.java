package io.qmargin.data;

import java.util.SplittableRandom;

/**
 * A realistic batch of cosines between embeddings and class prototypes, generated from a seed, for
 * the loss demo and the operator benchmark. Each row has a target class with cosine ~ N(0.55, 0.12)
 * (a trained model on a hard sample), a handful of hard negatives ~ N(0.3, 0.1) (look-alike
 * identities) and many unrelated classes ~ N(0, 0.06), the spread of cosines between random
 * directions in a few hundred dimensions. Values are clipped to [−1, 1].
 */
public record SyntheticCosines(int rows, int classes, double[] cosines, long[] labels) {

  public static SyntheticCosines generate(long seed, int rows, int classes) {
    if (rows < 1 || classes < 2) {
      throw new IllegalArgumentException("need rows >= 1 and classes >= 2");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] cos = new double[Math.multiplyExact(rows, classes)];
    long[] labels = new long[rows];
    int hard = Math.min(8, classes - 1);
    for (int i = 0; i < rows; i++) {
      int base = i * classes;
      for (int j = 0; j < classes; j++) {
        cos[base + j] = clip(0.06 * rnd.nextGaussian());
      }
      for (int h = 0; h < hard; h++) {
        cos[base + rnd.nextInt(classes)] = clip(0.3 + 0.1 * rnd.nextGaussian());
      }
      int y = rnd.nextInt(classes);
      labels[i] = y;
      cos[base + y] = clip(0.55 + 0.12 * rnd.nextGaussian());
    }
    return new SyntheticCosines(rows, classes, cos, labels);
  }

  private static double clip(double v) {
    return Math.max(-1, Math.min(1, v));
  }
}
