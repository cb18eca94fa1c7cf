package io.qmargin.train;

import io.qmargin.data.Seeds;
import java.util.SplittableRandom;

/**
 * The order in which an epoch visits a dataset: a Fisher-Yates permutation drawn from (seed, epoch)
 * alone, so a run resumed at epoch e visits the samples in the same order.
 */
public final class EpochOrder {
  private EpochOrder() {}

  public static int[] shuffled(long seed, long epoch, int size) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, epoch, -1));
    for (int i = size - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
