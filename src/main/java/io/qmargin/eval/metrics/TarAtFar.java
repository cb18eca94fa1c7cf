package io.qmargin.eval.metrics;

/**
 * One TAR@FAR value: the operating point chosen for a FAR target, under one of the two conventions
 * of {@link Convention}. The point accepts a trial iff its score >= {@code threshold}.
 *
 * @param farTarget the requested FAR
 * @param convention how the point was chosen
 * @param tar true accept rate of the point, trueAccepts / targets
 * @param far false accept rate of the point, falseAccepts / nontargets (may exceed the target under
 *     {@link Convention#NEAREST})
 * @param threshold the point's threshold; above every score (Math.nextUp of the maximum) for the
 *     point that accepts nothing
 * @param trueAccepts target scores >= threshold
 * @param falseAccepts non-target (impostor) scores >= threshold: the number of events the FAR rests on
 * @param tarLow lower end of the Clopper-Pearson interval of the TAR (binomial in the targets, the
 *     threshold held fixed)
 * @param tarHigh upper end of that interval
 */
public record TarAtFar(
    double farTarget,
    Convention convention,
    double tar,
    double far,
    double threshold,
    long trueAccepts,
    long falseAccepts,
    double tarLow,
    double tarHigh) {

  /** The two TAR@FAR conventions of the field. */
  public enum Convention {
    /** Best TAR over thresholds whose FAR <= target. */
    STRICT,
    /**
     * The ROC point whose FAR is closest to the target, possibly above it; among points at equal
     * distance (or with equal FAR) the one with the higher TAR. This is what the common
     * face-recognition scripts report.
     */
    NEAREST
  }

  /** The expected number of false accepts at the target FAR, target * nontargets; below 1 the value rests on no impostor at all. */
  public double expectedFalseAccepts(long nontargets) {
    return farTarget * nontargets;
  }
}
