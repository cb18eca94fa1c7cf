package io.qmargin.eval.metrics;

/**
 * The ROC as exact operating points, in order of decreasing threshold (increasing FAR and TAR).
 * Point i accepts a trial iff score >= thresholds[i]; TAR = trueAccepts[i] / targets and FAR =
 * falseAccepts[i] / nontargets. The first point accepts nothing (threshold just above the highest
 * score) and the last accepts everything (the lowest score). Tied scores form one point. The curve
 * may be thinned (see {@link MetricOptions#curveResolution()}); it is never interpolated.
 */
public record RocCurve(
    double[] thresholds, long[] trueAccepts, long[] falseAccepts, long targets, long nontargets) {

  public RocCurve {
    if (thresholds.length != trueAccepts.length || thresholds.length != falseAccepts.length) {
      throw new IllegalArgumentException("curve arrays differ in length");
    }
  }

  public int size() {
    return thresholds.length;
  }

  public double tar(int i) {
    return (double) trueAccepts[i] / targets;
  }

  public double far(int i) {
    return (double) falseAccepts[i] / nontargets;
  }

  public double[] tars() {
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = tar(i);
    }
    return out;
  }

  public double[] fars() {
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = far(i);
    }
    return out;
  }

  /** The same points as a DET curve (miss rate against false accept rate). */
  public DetCurve det() {
    double[] pMiss = new double[size()];
    for (int i = 0; i < pMiss.length; i++) {
      pMiss[i] = (double) (targets - trueAccepts[i]) / targets;
    }
    return new DetCurve(fars(), pMiss, thresholds.clone());
  }
}
