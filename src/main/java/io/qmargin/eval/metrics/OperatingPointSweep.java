package io.qmargin.eval.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Computes every metric of {@link VerificationMetrics} in one pass over the operating points, fed
 * in order of strictly decreasing threshold. Each call of {@link #add} is one distinct score t with
 * the number of target and non-target scores equal to t; the point it creates accepts every score
 * >= t. Memory is O(1) besides the convex hull and the (thinned) curve, so the same sweep serves
 * in-memory arrays and the external-sort streaming mode.
 *
 * <p>Exact decisions (which point is the strict TAR@FAR point, on which side of the EER crossing a
 * point lies, hull turns) are made on integer counts, never on rounded rates; the one exception is
 * the nearest TAR@FAR, which reproduces insightface's double-precision rule (see {@link
 * SklearnRocNearest}).
 */
public final class OperatingPointSweep {
  private final long targets;
  private final long nontargets;
  private final MetricOptions options;

  // current point (after the last add) and the one before it
  private long tp;
  private long fp;
  private double threshold = Double.POSITIVE_INFINITY;
  private long prevTp;
  private long prevFp;
  private double prevThreshold = Double.POSITIVE_INFINITY;
  private boolean started;
  private long seenTargets;
  private long seenNontargets;

  // AUC: twice the number of (target, non-target) pairs ranked correctly, ties counting one half.
  private long aucTwice;

  // EER by interpolation of the step where P_miss - P_fa changes sign.
  private boolean eerDone;
  private double eer = Double.NaN;
  private double eerThreshold = Double.NaN;

  // minDCF, one slot per P_target
  private final double[] pTargets;
  private final double[] dcfMin;
  private final double[] dcfThreshold;
  private final double[] dcfPMiss;
  private final double[] dcfPFa;

  // TAR@FAR: targets ascending; maxFalseAccepts[k] = largest count c with c / nontargets <= far[k]
  private final double[] far;
  private final long[] maxFalseAccepts;
  private int
      firstOpen; // targets [firstOpen, n) still accept the current point under the strict rule
  private final double[] strictThr;
  private final long[] strictTp;
  private final long[] strictFp;
  private final SklearnRocNearest nearest;

  // upper convex hull of the ROC in count space (x = false accepts, y = true accepts)
  private long[] hullFp = new long[64];
  private long[] hullTp = new long[64];
  private int hullSize;

  // thinned curve
  private final double resolution;
  private double[] curveThr = new double[1024];
  private long[] curveTp = new long[1024];
  private long[] curveFp = new long[1024];
  private int curveSize;
  private boolean lastAddedKept = true; // the accept-nothing point is always kept

  public OperatingPointSweep(long targets, long nontargets, MetricOptions options) {
    if (targets <= 0 || nontargets <= 0) {
      throw new IllegalArgumentException(
          "need at least one target and one non-target score, got "
              + targets
              + " and "
              + nontargets);
    }
    if (targets >= (1L << 31) || nontargets >= (1L << 31)) {
      // keeps every count product (and twice the pair count of the AUC) below 2^63
      throw new IllegalArgumentException("more than 2^31 target or non-target scores");
    }
    this.targets = targets;
    this.nontargets = nontargets;
    this.options = options;
    this.resolution = options.curveResolution();
    pTargets = options.pTargets().stream().mapToDouble(Double::doubleValue).toArray();
    int np = pTargets.length;
    dcfMin = new double[np];
    dcfThreshold = new double[np];
    dcfPMiss = new double[np];
    dcfPFa = new double[np];
    for (int k = 0; k < np; k++) {
      // the point that accepts nothing: P_miss = 1, P_fa = 0
      dcfMin[k] = options.cMiss() * pTargets[k];
      dcfThreshold[k] = Double.POSITIVE_INFINITY;
      dcfPMiss[k] = 1;
      dcfPFa[k] = 0;
    }
    far = options.farTargets().stream().mapToDouble(Double::doubleValue).toArray();
    int nf = far.length;
    maxFalseAccepts = new long[nf];
    for (int k = 0; k < nf; k++) {
      // FAR targets are meant as the decimals the user wrote (1e-4, 0.3), not as their binary
      // approximations: compare counts with target * nontargets exactly, in decimal.
      maxFalseAccepts[k] =
          BigDecimal.valueOf(far[k])
              .multiply(BigDecimal.valueOf(nontargets))
              .setScale(0, RoundingMode.FLOOR)
              .longValueExact();
    }
    strictThr = new double[nf];
    strictTp = new long[nf];
    strictFp = new long[nf];
    nearest = new SklearnRocNearest(far, nontargets);
    pushHull(0, 0);
    appendCurve(Double.POSITIVE_INFINITY, 0, 0);
  }

  /**
   * Adds the operating point at threshold t, where {@code dt} target and {@code dn} non-target
   * scores equal t. Thresholds must strictly decrease from call to call.
   */
  public void add(double t, long dt, long dn) {
    if (dt < 0 || dn < 0 || dt + dn == 0) {
      throw new IllegalArgumentException("empty or negative group at threshold " + t);
    }
    if (!(t < threshold)) {
      throw new IllegalStateException(
          "thresholds must strictly decrease: " + t + " after " + threshold);
    }
    if (!started) {
      started = true;
      // the point that accepts nothing gets a finite threshold just above the highest score
      double top = Math.nextUp(t);
      threshold = top;
      curveThr[0] = top;
      for (int k = 0; k < dcfThreshold.length; k++) {
        dcfThreshold[k] = top;
      }
    }
    prevTp = tp;
    prevFp = fp;
    prevThreshold = threshold;
    tp += dt;
    fp += dn;
    threshold = t;
    seenTargets += dt;
    seenNontargets += dn;
    if (tp > targets || fp > nontargets) {
      throw new IllegalStateException(
          "more scores than announced: "
              + tp
              + "/"
              + targets
              + " targets, "
              + fp
              + "/"
              + nontargets
              + " non-targets");
    }

    // non-targets strictly below t: nontargets - fp; ties count one half
    aucTwice += dt * (2 * (nontargets - fp) + dn);

    if (!eerDone && EerCrossing.reached(targets, nontargets, tp, fp)) {
      eerDone = true;
      EerCrossing c = EerCrossing.between(targets, nontargets, prevTp, prevFp, tp, fp);
      eer = c.eer();
      eerThreshold = c.nearerFirst() ? prevThreshold : t;
    }

    double pMiss = (double) (targets - tp) / targets;
    double pFa = (double) fp / nontargets;
    for (int k = 0; k < pTargets.length; k++) {
      double c = options.cMiss() * pTargets[k] * pMiss + options.cFa() * (1 - pTargets[k]) * pFa;
      if (c < dcfMin[k]) {
        dcfMin[k] = c;
        dcfThreshold[k] = t;
        dcfPMiss[k] = pMiss;
        dcfPFa[k] = pFa;
      }
    }

    // Targets whose FAR limit this point exceeds: the previous point is their strict point.
    while (firstOpen < far.length && fp > maxFalseAccepts[firstOpen]) {
      strictThr[firstOpen] = prevThreshold;
      strictTp[firstOpen] = prevTp;
      strictFp[firstOpen] = prevFp;
      firstOpen++;
    }

    nearest.add(t, tp, fp, dt, dn);
    pushHull(fp, tp);

    boolean farStep = fp - curveFp[curveSize - 1] > resolution * curveFp[curveSize - 1];
    boolean keep = resolution == 0 || farStep || tp - curveTp[curveSize - 1] > resolution * targets;
    if (keep) {
      if (farStep && !lastAddedKept && prevFp != fp) {
        // keep the step's corner too: the last (highest-TAR) point at the previous FAR
        appendCurve(prevThreshold, prevTp, prevFp);
      }
      appendCurve(t, tp, fp);
    }
    lastAddedKept = keep;
  }

  /** The metrics; call after the last point (the one that accepts every score). */
  public VerificationMetrics finish() {
    if (seenTargets != targets || seenNontargets != nontargets) {
      throw new IllegalStateException(
          "saw "
              + seenTargets
              + " targets and "
              + seenNontargets
              + " non-targets, announced "
              + targets
              + " and "
              + nontargets);
    }
    if (!lastAddedKept) {
      appendCurve(threshold, tp, fp);
    }
    nearest.finish();
    for (int k = firstOpen; k < far.length; k++) {
      strictThr[k] = threshold;
      strictTp[k] = tp;
      strictFp[k] = fp;
    }
    double level = options.confidenceLevel();
    List<TarAtFar> strict = new ArrayList<>();
    List<TarAtFar> nearestPoints = new ArrayList<>();
    for (int k = 0; k < far.length; k++) {
      strict.add(
          point(far[k], TarAtFar.Convention.STRICT, strictThr[k], strictTp[k], strictFp[k], level));
      nearestPoints.add(
          point(
              far[k],
              TarAtFar.Convention.NEAREST,
              nearest.threshold(k),
              nearest.trueAccepts(k),
              nearest.falseAccepts(k),
              level));
    }
    List<MinDcf> dcf = new ArrayList<>();
    for (int k = 0; k < pTargets.length; k++) {
      double norm = Math.min(options.cMiss() * pTargets[k], options.cFa() * (1 - pTargets[k]));
      dcf.add(new MinDcf(pTargets[k], dcfMin[k] / norm, dcfThreshold[k], dcfPMiss[k], dcfPFa[k]));
    }
    RocCurve roc =
        new RocCurve(
            Arrays.copyOf(curveThr, curveSize),
            Arrays.copyOf(curveTp, curveSize),
            Arrays.copyOf(curveFp, curveSize),
            targets,
            nontargets);
    double auc = aucTwice / (2.0 * targets * nontargets);
    return new VerificationMetrics(
        targets,
        nontargets,
        eer,
        rocchEer(),
        eerThreshold,
        dcf,
        strict,
        nearestPoints,
        auc,
        roc,
        options);
  }

  private TarAtFar point(
      double target, TarAtFar.Convention conv, double thr, long ta, long fa, double level) {
    double[] ci = BinomialInterval.clopperPearson(ta, targets, level);
    return new TarAtFar(
        target, conv, (double) ta / targets, (double) fa / nontargets, thr, ta, fa, ci[0], ci[1]);
  }

  /** EER of the ROC convex hull: the same crossing rule, applied to the hull vertices. */
  private double rocchEer() {
    for (int i = 1; i < hullSize; i++) {
      if (EerCrossing.reached(targets, nontargets, hullTp[i], hullFp[i])) {
        return EerCrossing.between(
                targets, nontargets, hullTp[i - 1], hullFp[i - 1], hullTp[i], hullFp[i])
            .eer();
      }
    }
    throw new IllegalStateException("hull does not reach the accept-all point");
  }

  private void pushHull(long x, long y) {
    // Upper hull, points arrive with x and y non-decreasing: drop the last vertex while it does not
    // make a strict clockwise turn (collinear vertices are dropped too).
    while (hullSize >= 2) {
      long x0 = hullFp[hullSize - 2];
      long y0 = hullTp[hullSize - 2];
      long x1 = hullFp[hullSize - 1];
      long y1 = hullTp[hullSize - 1];
      long cross = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0);
      if (cross >= 0) {
        hullSize--;
      } else {
        break;
      }
    }
    if (hullSize == hullFp.length) {
      hullFp = Arrays.copyOf(hullFp, hullSize * 2);
      hullTp = Arrays.copyOf(hullTp, hullSize * 2);
    }
    hullFp[hullSize] = x;
    hullTp[hullSize] = y;
    hullSize++;
  }

  private void appendCurve(double t, long ta, long fa) {
    if (curveSize == curveThr.length) {
      curveThr = Arrays.copyOf(curveThr, curveSize * 2);
      curveTp = Arrays.copyOf(curveTp, curveSize * 2);
      curveFp = Arrays.copyOf(curveFp, curveSize * 2);
    }
    curveThr[curveSize] = t;
    curveTp[curveSize] = ta;
    curveFp[curveSize] = fa;
    curveSize++;
  }
}
