package io.qmargin.serve;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.TarAtFar;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.report.Numbers;
import java.util.stream.Collectors;

/**
 * The operating point of an evaluation at a target FAR: its strict TAR@FAR entry (the largest TAR
 * whose FAR is at most the target, see {@link TarAtFar.Convention#STRICT}), with the impostor and
 * genuine counts it rests on. A target FAR below 1 / impostors is refused: no threshold can show
 * such a rate on that many impostor scores.
 */
public final class Calibration {
  private Calibration() {}

  /**
   * The operating point at {@code targetFar}, which must be one of the metrics' FAR targets.
   *
   * @param modelId the model the scores came from (null if unknown)
   * @param source where the scores came from, for the record
   * @throws UserInputException if the target was not evaluated, or the impostors cannot resolve it
   */
  public static OperatingPoint at(
      VerificationMetrics metrics, double targetFar, String modelId, String source) {
    TarAtFar t = metrics.tarAtFar(targetFar);
    if (t == null) {
      String evaluated =
          metrics.tarAtFar().stream()
              .map(x -> Numbers.key(x.farTarget()))
              .collect(Collectors.joining(", "));
      throw new UserInputException(
          source
              + ": has no TAR@FAR at FAR "
              + Numbers.key(targetFar)
              + " (it has "
              + (evaluated.isEmpty() ? "none" : evaluated)
              + "); evaluate it again with --far "
              + Numbers.key(targetFar)
              + ", or calibrate on its score file (--scores)");
    }
    long impostors = metrics.nontargets();
    if (!t.resolvable(impostors)) {
      throw new UserInputException(
          source
              + ": FAR "
              + Numbers.key(targetFar)
              + " cannot be resolved by "
              + impostors
              + " impostor scores: it needs at least "
              + t.impostorsNeeded()
              + " (1/FAR)");
    }
    return new OperatingPoint(
        modelId,
        targetFar,
        t.threshold(),
        t.far(),
        t.tar(),
        t.tarLow(),
        t.tarHigh(),
        impostors,
        metrics.targets(),
        source);
  }
}
