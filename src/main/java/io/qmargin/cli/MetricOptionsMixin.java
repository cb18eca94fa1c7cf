package io.qmargin.cli;

import io.qmargin.eval.metrics.MetricOptions;
import java.util.List;
import picocli.CommandLine.Option;

/** The metric options shared by the eval commands. */
final class MetricOptionsMixin {
  @Option(names = "--far", split = ",", paramLabel = "FAR",
      description = "FAR targets of TAR@FAR, comma-separated (default: 1e-6,1e-5,1e-4,1e-3,1e-2,1e-1).")
  List<Double> far = MetricOptions.DEFAULT_FAR_TARGETS;

  @Option(names = "--p-target", split = ",", paramLabel = "P",
      description = "Target priors of minDCF, comma-separated (default: 0.01,0.05).")
  List<Double> pTarget = MetricOptions.DEFAULT_P_TARGETS;

  @Option(names = "--c-miss", defaultValue = "1", description = "Cost of a miss in the DCF (default: ${DEFAULT-VALUE}).")
  double cMiss;

  @Option(names = "--c-fa", defaultValue = "1", description = "Cost of a false accept in the DCF (default: ${DEFAULT-VALUE}).")
  double cFa;

  @Option(names = "--confidence", defaultValue = "0.95", description = "Level of the TAR confidence intervals (default: ${DEFAULT-VALUE}).")
  double confidence;

  @Option(names = "--curve-resolution", defaultValue = "0.002",
      description = "Thinning of the stored ROC/DET points (0 keeps every point; default: ${DEFAULT-VALUE}).")
  double curveResolution;

  MetricOptions toOptions() {
    return new MetricOptions(far, pTarget, cMiss, cFa, confidence, curveResolution);
  }
}
