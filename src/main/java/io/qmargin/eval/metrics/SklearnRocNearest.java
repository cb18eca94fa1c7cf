package io.qmargin.eval.metrics;

import java.util.Arrays;

/**
 * TAR@FAR under the nearest convention of insightface's IJB evaluation: the points of
 * scikit-learn's {@code roc_curve(labels, scores)} with its default {@code drop_intermediate=True},
 * and for each FAR target the point whose FAR is closest to it.
 *
 * <p>The rule, step by step. Number the distinct scores in decreasing order; point i accepts every
 * score >= the i-th distinct score, and (dt_i, dn_i) are the target and non-target scores equal to
 * it (the step from point i-1 to point i).
 *
 * <ol>
 *   <li>Point i is kept iff it is the first or the last one, or (dt_i, dn_i) differs from
 *       (dt_(i+1), dn_(i+1)). This is scikit-learn's test that the second difference of the
 *       cumulative false or true positives at i is not zero: the middle points of a straight run of
 *       equal steps (e.g. of consecutive non-target scores) are dropped.
 *   <li>The point that accepts nothing, (FAR, TAR) = (0, 0), is put in front, after the dropping,
 *       so it is always a candidate.
 *   <li>For a target x, the kept point with the smallest |fa / nontargets - x|, evaluated in double
 *       precision as numpy evaluates it; among equal distances the last one (lowest threshold,
 *       highest TAR). insightface flips the arrays and takes {@code min} over (distance, index)
 *       pairs, whose first minimum in the flipped order is the last one here.
 * </ol>
 *
 * The distance is rounded as in the script on purpose: a tie in exact arithmetic can be broken by
 * rounding (|0.2 - 0.3| < |0.4 - 0.3| in doubles), and the script follows the doubles.
 *
 * <p>Fed the same groups as {@link OperatingPointSweep}, in order of strictly decreasing threshold;
 * O(number of FAR targets) memory.
 */
final class SklearnRocNearest {
  private final double[] far;
  private final long nontargets;
  private final double[] bestDistance;
  private final double[] bestThreshold;
  private final long[] bestTp;
  private final long[] bestFp;

  // the last point added, not yet known to be kept: whether it is, depends on the next step
  private boolean hasPending;
  private boolean pendingIsFirst;
  private double pendingThreshold;
  private long pendingTp;
  private long pendingFp;
  private long pendingDt;
  private long pendingDn;

  SklearnRocNearest(double[] farTargets, long nontargets) {
    this.far = farTargets.clone();
    this.nontargets = nontargets;
    bestDistance = new double[far.length];
    Arrays.fill(bestDistance, Double.POSITIVE_INFINITY);
    bestThreshold = new double[far.length];
    bestTp = new long[far.length];
    bestFp = new long[far.length];
  }

  /**
   * Adds the point at threshold t, which accepts {@code tp} target and {@code fp} non-target
   * scores, {@code dt} and {@code dn} of them equal to t.
   */
  void add(double t, long tp, long fp, long dt, long dn) {
    if (!hasPending) {
      // the point that accepts nothing, with the threshold RocCurve gives it: just above every
      // score
      offer(Math.nextUp(t), 0, 0);
    }
    if (hasPending && (pendingIsFirst || pendingDt != dt || pendingDn != dn)) {
      offer(pendingThreshold, pendingTp, pendingFp);
    }
    pendingIsFirst = !hasPending;
    hasPending = true;
    pendingThreshold = t;
    pendingTp = tp;
    pendingFp = fp;
    pendingDt = dt;
    pendingDn = dn;
  }

  /** Call after the last point (which is always kept). */
  void finish() {
    if (hasPending) {
      offer(pendingThreshold, pendingTp, pendingFp);
      hasPending = false;
    }
  }

  double threshold(int k) {
    return bestThreshold[k];
  }

  long trueAccepts(int k) {
    return bestTp[k];
  }

  long falseAccepts(int k) {
    return bestFp[k];
  }

  private void offer(double t, long tp, long fp) {
    double rate = (double) fp / nontargets;
    for (int k = 0; k < far.length; k++) {
      double d = Math.abs(rate - far[k]);
      if (d <= bestDistance[k]) { // <=: a later point wins a tie
        bestDistance[k] = d;
        bestThreshold[k] = t;
        bestTp[k] = tp;
        bestFp[k] = fp;
      }
    }
  }
}
