package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The metric options shared by the eval commands. Each option starts at its value in {@link
 * MetricOptions#defaults()}, which is where the defaults are stated; the help shows it.
 */
final class MetricOptionsMixin {
  private static final MetricOptions DEFAULTS = MetricOptions.defaults();

  @Option(
      names = "--far",
      split = ",",
      paramLabel = "FAR",
      description = "FAR targets of TAR@FAR, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Double> far = DEFAULTS.farTargets();

  @Option(
      names = "--p-target",
      split = ",",
      paramLabel = "P",
      description = "Target priors of minDCF, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Double> pTarget = DEFAULTS.pTargets();

  @Option(
      names = "--c-miss",
      description = "Cost of a miss in the DCF (default: ${DEFAULT-VALUE}).")
  double cMiss = DEFAULTS.cMiss();

  @Option(
      names = "--c-fa",
      description = "Cost of a false accept in the DCF (default: ${DEFAULT-VALUE}).")
  double cFa = DEFAULTS.cFa();

  @Option(
      names = "--confidence",
      description = "Level of the TAR confidence intervals (default: ${DEFAULT-VALUE}).")
  double confidence = DEFAULTS.confidenceLevel();

  @Option(
      names = "--curve-resolution",
      description =
          "Thinning of the stored ROC/DET points (0 keeps every point; default: ${DEFAULT-VALUE}).")
  double curveResolution = DEFAULTS.curveResolution();

  MetricOptions toOptions() {
    return UserInputException.whenInvalid(
        () -> new MetricOptions(far, pTarget, cMiss, cFa, confidence, curveResolution));
  }
}
