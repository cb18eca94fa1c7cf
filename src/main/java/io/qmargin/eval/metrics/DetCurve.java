package io.qmargin.eval.metrics;

/**
 * Detection error trade-off curve: miss rate P_miss = 1 - TAR against false accept rate P_fa = FAR,
 * in order of decreasing threshold. It is drawn on normal-deviate axes, x = probit(P_fa), y =
 * probit(P_miss) (see {@link NormalDeviate}), where two Gaussian score distributions give a
 * straight line and the low-error corner is stretched out. Points with a rate of exactly 0 or 1
 * have no deviate and are left out of such plots.
 */
public record DetCurve(double[] pFa, double[] pMiss, double[] thresholds) {

  public int size() {
    return pFa.length;
  }

  /** probit(P_fa) for each point, NaN where P_fa is 0 or 1. */
  public double[] pFaDeviates() {
    return deviates(pFa);
  }

  /** probit(P_miss) for each point, NaN where P_miss is 0 or 1. */
  public double[] pMissDeviates() {
    return deviates(pMiss);
  }

  private static double[] deviates(double[] p) {
    double[] out = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = p[i] > 0 && p[i] < 1 ? NormalDeviate.probit(p[i]) : Double.NaN;
    }
    return out;
  }
}
