package io.qmargin.eval.metrics;

import java.util.List;

/**
 * What {@link VerificationMetrics#compute} reports and under which costs.
 *
 * @param farTargets FAR targets of TAR@FAR, each in (0, 1]; reported in ascending order
 * @param pTargets target priors P_target of minDCF, each in (0, 1)
 * @param cMiss cost of a miss C_miss (> 0)
 * @param cFa cost of a false accept C_fa (> 0)
 * @param confidenceLevel level of the TAR confidence intervals, in (0, 1), e.g. 0.95
 * @param curveResolution thinning of the stored ROC/DET curve: a point is kept when its
 *     false-accept count grew by more than this fraction since the last kept point, or its
 *     true-accept count by more than this fraction of the targets; 0 keeps every operating point.
 *     Kept points are exact operating points (never interpolated); every point with fewer than
 *     1/curveResolution false accepts is kept, so the low-FAR end of the curve is always complete.
 */
public record MetricOptions(
    List<Double> farTargets,
    List<Double> pTargets,
    double cMiss,
    double cFa,
    double confidenceLevel,
    double curveResolution) {

  /** FAR targets of {@link #defaults()}. */
  public static final List<Double> DEFAULT_FAR_TARGETS =
      List.of(1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1);

  /** Target priors of {@link #defaults()}. */
  public static final List<Double> DEFAULT_P_TARGETS = List.of(0.01, 0.05);

  public MetricOptions {
    farTargets = List.copyOf(farTargets).stream().sorted().distinct().toList();
    pTargets = List.copyOf(pTargets).stream().distinct().toList();
    for (double f : farTargets) {
      if (!(f > 0 && f <= 1)) {
        throw new IllegalArgumentException("FAR target " + f + " is not in (0, 1]");
      }
    }
    for (double p : pTargets) {
      if (!(p > 0 && p < 1)) {
        throw new IllegalArgumentException("P_target " + p + " is not in (0, 1)");
      }
    }
    if (!(cMiss > 0) || !(cFa > 0) || Double.isInfinite(cMiss) || Double.isInfinite(cFa)) {
      throw new IllegalArgumentException(
          "C_miss and C_fa must be positive finite numbers, got " + cMiss + " and " + cFa);
    }
    if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
      throw new IllegalArgumentException(
          "confidence level " + confidenceLevel + " is not in (0, 1)");
    }
    if (!(curveResolution >= 0 && curveResolution < 1)) {
      throw new IllegalArgumentException(
          "curve resolution " + curveResolution + " is not in [0, 1)");
    }
  }

  /**
   * FAR 1e-6 ... 1e-1, P_target 0.01 and 0.05, C_miss = C_fa = 1, 95% intervals, curves thinned at
   * 0.2%.
   */
  public static MetricOptions defaults() {
    return new MetricOptions(DEFAULT_FAR_TARGETS, DEFAULT_P_TARGETS, 1, 1, 0.95, 0.002);
  }

  public MetricOptions withFarTargets(List<Double> fars) {
    return new MetricOptions(fars, pTargets, cMiss, cFa, confidenceLevel, curveResolution);
  }

  public MetricOptions withPTargets(List<Double> ps) {
    return new MetricOptions(farTargets, ps, cMiss, cFa, confidenceLevel, curveResolution);
  }

  public MetricOptions withCurveResolution(double resolution) {
    return new MetricOptions(farTargets, pTargets, cMiss, cFa, confidenceLevel, resolution);
  }
}
