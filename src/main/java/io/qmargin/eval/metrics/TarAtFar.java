package io.qmargin.eval.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;

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
 * @param falseAccepts non-target (impostor) scores >= threshold: the number of events the FAR rests
 *     on
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
     * insightface's IJB rule: among the points of scikit-learn's {@code roc_curve} with {@code
     * drop_intermediate=True} (plus the point that accepts nothing), the one whose FAR is closest
     * to the target, possibly above it; among equal distances the one with the lowest threshold
     * (highest TAR). See {@link SklearnRocNearest} for the exact rule.
     */
    NEAREST
  }

  /**
   * The expected number of false accepts at the target FAR, target * nontargets; below 1 the value
   * rests on no impostor at all.
   */
  public double expectedFalseAccepts(long nontargets) {
    return farTarget * nontargets;
  }

  /**
   * Whether {@code nontargets} impostor scores can resolve this FAR target, i.e. target >= 1 /
   * nontargets (compared exactly, with the target as the decimal it was written as). Below that,
   * every threshold accepts either no impostor or more than the target allows, and the value only
   * says how many targets score above the highest impostor.
   */
  public boolean resolvable(long nontargets) {
    return BigDecimal.valueOf(farTarget)
            .multiply(BigDecimal.valueOf(nontargets))
            .compareTo(BigDecimal.ONE)
        >= 0;
  }

  /** The fewest impostor scores that resolve this FAR target: ceil(1 / target). */
  public long impostorsNeeded() {
    return BigDecimal.ONE
        .divide(BigDecimal.valueOf(farTarget), 0, RoundingMode.CEILING)
        .longValueExact();
  }
}
