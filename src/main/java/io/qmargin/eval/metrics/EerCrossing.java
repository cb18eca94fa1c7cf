package io.qmargin.eval.metrics;

/**
 * The equal error rate between two consecutive operating points (the NIST SRE scorer's rule):
 * P_miss - P_fa changes sign from the first point to the second, and the EER is where the straight
 * segment joining them crosses P_miss = P_fa. Points are counts (true accepts, false accepts) out
 * of {@code targets} and {@code nontargets}; whether a point has crossed is decided on the counts,
 * never on rounded rates. Used for the EER of the operating points and of their convex hull.
 *
 * @param eer the interpolated rate at the crossing
 * @param nearerFirst whether the first point is closer to the crossing than the second
 */
record EerCrossing(double eer, boolean nearerFirst) {

  /** Whether the point (tp, fp) has P_miss <= P_fa, i.e. lies at or past the crossing. */
  static boolean reached(long targets, long nontargets, long tp, long fp) {
    return (targets - tp) * nontargets <= fp * targets;
  }

  /** The crossing on the segment from (tp0, fp0), before it, to (tp1, fp1), at or past it. */
  static EerCrossing between(
      long targets, long nontargets, long tp0, long fp0, long tp1, long fp1) {
    double missPrev = (double) (targets - tp0) / targets;
    double missCur = (double) (targets - tp1) / targets;
    double dPrev = missPrev - (double) fp0 / nontargets;
    double dCur = missCur - (double) fp1 / nontargets;
    double lambda = dPrev / (dPrev - dCur);
    return new EerCrossing(
        missPrev + lambda * (missCur - missPrev), Math.abs(dPrev) < Math.abs(dCur));
  }
}
