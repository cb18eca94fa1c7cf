package io.qmargin.eval.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Verification metrics of one system on one trial set, computed exactly from the scores.
 *
 * <p>Conventions: a trial is accepted iff score >= threshold; every distinct score is one operating
 * point (tied scores move together), plus the point that accepts nothing. P_miss = FRR = 1 - TAR.
 *
 * <ul>
 *   <li>{@code eer}: P_miss - P_fa changes sign between two consecutive operating points; the EER
 *       is where the straight segment joining them crosses P_miss = P_fa (the NIST SRE scorer's
 *       rule). {@code eerThreshold} is the threshold of whichever of the two points is closer to
 *       the crossing.
 *   <li>{@code eerRocch}: the same crossing on the ROC convex hull (ROCCH-EER of BOSARIS); never
 *       above {@code eer}.
 *   <li>{@code minDcf}: see {@link MinDcf}.
 *   <li>{@code tarAtFar} / {@code tarAtFarNearest}: see {@link TarAtFar.Convention}.
 *   <li>{@code auc}: P(target score > non-target score) + P(equal) / 2.
 * </ul>
 *
 * @param roc the operating points (possibly thinned, see {@link MetricOptions#curveResolution()})
 */
public record VerificationMetrics(
    long targets,
    long nontargets,
    double eer,
    double eerRocch,
    double eerThreshold,
    List<MinDcf> minDcf,
    List<TarAtFar> tarAtFar,
    List<TarAtFar> tarAtFarNearest,
    double auc,
    RocCurve roc,
    MetricOptions options) {

  public VerificationMetrics {
    minDcf = List.copyOf(minDcf);
    tarAtFar = List.copyOf(tarAtFar);
    tarAtFarNearest = List.copyOf(tarAtFarNearest);
  }

  /**
   * Metrics of the given scores; the arrays are copied, not modified. Every score must be finite
   * and both sets non-empty (else IllegalArgumentException).
   */
  public static VerificationMetrics compute(
      double[] targetScores, double[] nontargetScores, MetricOptions options) {
    return computeInPlace(targetScores.clone(), nontargetScores.clone(), options);
  }

  /** As {@link #compute(double[], double[], MetricOptions)} with float scores. */
  public static VerificationMetrics compute(
      float[] targetScores, float[] nontargetScores, MetricOptions options) {
    return computeInPlace(toDoubles(targetScores), toDoubles(nontargetScores), options);
  }

  /**
   * As {@link #compute(double[], double[], MetricOptions)} but sorts the two arrays in place (and
   * turns -0.0 into 0.0): no copy, for very large score sets.
   */
  public static VerificationMetrics computeInPlace(
      double[] targetScores, double[] nontargetScores, MetricOptions options) {
    checkScores(targetScores, "target");
    checkScores(nontargetScores, "non-target");
    Arrays.parallelSort(targetScores);
    Arrays.parallelSort(nontargetScores);
    return computeSorted(targetScores, nontargetScores, options);
  }

  /**
   * Metrics of two arrays already sorted in ascending order (finite values, -0.0 treated as 0.0).
   */
  public static VerificationMetrics computeSorted(double[] tg, double[] nt, MetricOptions options) {
    OperatingPointSweep sweep = new OperatingPointSweep(tg.length, nt.length, options);
    int i = tg.length - 1;
    int j = nt.length - 1;
    while (i >= 0 || j >= 0) {
      double t;
      if (i < 0) {
        t = nt[j];
      } else if (j < 0) {
        t = tg[i];
      } else {
        t = Math.max(tg[i], nt[j]);
      }
      long dt = 0;
      long dn = 0;
      // == groups ties (and -0.0 with 0.0, which sort next to each other)
      while (i >= 0 && tg[i] == t) {
        i--;
        dt++;
      }
      while (j >= 0 && nt[j] == t) {
        j--;
        dn++;
      }
      sweep.add(t, dt, dn);
    }
    return sweep.finish();
  }

  /** The strict TAR@FAR entry for this FAR target, or null if it was not requested. */
  public TarAtFar tarAtFar(double farTarget) {
    return find(tarAtFar, farTarget);
  }

  /** The nearest-convention TAR@FAR entry for this FAR target, or null. */
  public TarAtFar tarAtFarNearest(double farTarget) {
    return find(tarAtFarNearest, farTarget);
  }

  /** The minDCF entry for this P_target, or null. */
  public MinDcf minDcf(double pTarget) {
    for (MinDcf d : minDcf) {
      if (d.pTarget() == pTarget) {
        return d;
      }
    }
    return null;
  }

  public DetCurve det() {
    return roc.det();
  }

  private static TarAtFar find(List<TarAtFar> list, double f) {
    for (TarAtFar t : list) {
      if (t.farTarget() == f) {
        return t;
      }
    }
    return null;
  }

  private static void checkScores(double[] s, String what) {
    if (s.length == 0) {
      throw new IllegalArgumentException("no " + what + " scores");
    }
    for (int i = 0; i < s.length; i++) {
      double v = s[i];
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(
            what + " score #" + i + " is " + v + ", not a finite number");
      }
      s[i] = v + 0.0; // -0.0 + 0.0 == +0.0
    }
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
