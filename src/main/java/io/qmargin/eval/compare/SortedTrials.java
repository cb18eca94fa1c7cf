package io.qmargin.eval.compare;

import java.util.Arrays;

/**
 * One system's trials in decreasing score order, cut into the groups a weighted sweep adds as
 * operating points: each distinct score that has a target trial is a group of its own; a maximal
 * run of distinct scores with non-target trials only is one group, at the run's highest score.
 *
 * <p>Why merging such a run changes none of TAR@FAR (strict), EER, minDCF and AUC, whatever the
 * weights: inside the run the true accepts stay put while the false accepts grow, so the ROC path
 * is one horizontal segment either way. The strict TAR@FAR point's TAR is that of the last point
 * within the FAR limit, the same true accepts on the whole segment; minDCF only grows along it, so
 * its minimum is at the point before the run, which both keep; an EER crossing on it is P_miss of
 * the segment either way; the AUC counts no target there. With millions of non-targets and a few
 * thousand targets this makes the sweep's points a few per target.
 *
 * @param order trial index of each position
 * @param enroll enroll subject of each position
 * @param test test subject of each position
 * @param target label of each position
 * @param groupStart first position of each group, then the end (length groups + 1)
 * @param groupScore threshold of each group: its highest score, strictly decreasing
 */
record SortedTrials(
    int[] order,
    int[] enroll,
    int[] test,
    boolean[] target,
    int[] groupStart,
    double[] groupScore) {

  static SortedTrials of(PairedTrials trials, int system) {
    double[] sc = trials.scores()[system];
    int n = sc.length;
    int[] order = descending(sc);
    int[] enroll = new int[n];
    int[] test = new int[n];
    boolean[] target = new boolean[n];
    for (int j = 0; j < n; j++) {
      int i = order[j];
      enroll[j] = trials.enrollSubject()[i];
      test[j] = trials.testSubject()[i];
      target[j] = trials.isTarget()[i];
    }
    int[] start = new int[n + 1];
    double[] score = new double[n];
    int groups = 0;
    boolean openRun = false; // the last group is a run of non-target-only scores
    int j = 0;
    while (j < n) {
      double t = sc[order[j]] + 0.0; // -0.0 groups with 0.0
      int from = j;
      boolean anyTarget = false;
      while (j < n && sc[order[j]] + 0.0 == t) {
        anyTarget |= target[j++];
      }
      if (!anyTarget && openRun) {
        continue; // extends the run: its end moves on below
      }
      start[groups] = from;
      score[groups++] = t;
      openRun = !anyTarget;
    }
    start[groups] = n;
    return new SortedTrials(
        order,
        enroll,
        test,
        target,
        Arrays.copyOf(start, groups + 1),
        Arrays.copyOf(score, groups));
  }

  /**
   * Trial indices by decreasing score (ties by index), with primitive sorts: each score's rank
   * among the sorted scores, packed above the index into one long.
   */
  static int[] descending(double[] sc) {
    int n = sc.length;
    double[] sortedScores = new double[n];
    for (int i = 0; i < n; i++) {
      sortedScores[i] = sc[i] + 0.0;
    }
    Arrays.sort(sortedScores);
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      // rank of the first occurrence: equal scores share it; higher scores get lower keys
      int rank = firstAtLeast(sortedScores, sc[i] + 0.0);
      keys[i] = ((long) (n - 1 - rank) << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[n];
    for (int j = 0; j < n; j++) {
      order[j] = (int) keys[j];
    }
    return order;
  }

  /** The first index of ascending {@code a} whose value is >= x. */
  private static int firstAtLeast(double[] a, double x) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
