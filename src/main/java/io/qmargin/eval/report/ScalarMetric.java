package io.qmargin.eval.report;

import io.qmargin.eval.metrics.VerificationMetrics;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One single-number metric of {@link VerificationMetrics} as the reports carry it: its key in
 * metrics.json, its label in the terminal summary and report.md, how to get it and whether it is a
 * rate (printed in percent) or a plain number. {@link #ALL} is the one list that {@link
 * MetricsJson} writes and reads and {@link EvaluationReport} prints, so a new scalar metric is one
 * entry here (beside its component in {@link VerificationMetrics} and the line of {@link
 * MetricsJson#fromJson} that passes it to the record's constructor).
 *
 * @param convention how it is defined, for metrics.json's {@code conventions}; null when the key is
 *     explained by another entry's convention
 */
public record ScalarMetric(
    String key,
    String label,
    ToDoubleFunction<VerificationMetrics> value,
    boolean rate,
    String convention) {

  public static final ScalarMetric EER =
      new ScalarMetric(
          "eer",
          "EER",
          VerificationMetrics::eer,
          true,
          "linear interpolation between the two operating points where FRR - FAR changes sign (NIST SRE)");
  public static final ScalarMetric EER_ROCCH =
      new ScalarMetric(
          "eer_rocch",
          "ROCCH-EER",
          VerificationMetrics::eerRocch,
          true,
          "the same crossing on the ROC convex hull (BOSARIS ROCCH-EER)");
  public static final ScalarMetric EER_THRESHOLD =
      new ScalarMetric(
          "eer_threshold", "EER threshold", VerificationMetrics::eerThreshold, false, null);
  public static final ScalarMetric AUC =
      new ScalarMetric("auc", "AUC", VerificationMetrics::auc, false, null);

  /** Every scalar metric, in the order of the reports' columns. */
  public static final List<ScalarMetric> ALL = List.of(EER, EER_ROCCH, EER_THRESHOLD, AUC);

  /** The metric's value in the given metrics. */
  public double of(VerificationMetrics m) {
    return value.applyAsDouble(m);
  }

  /**
   * The value as the terminal and report.md show it: percent for rates, 4 significant digits
   * otherwise.
   */
  public String format(VerificationMetrics m) {
    double v = of(m);
    return rate ? Numbers.percent(v) : Numbers.num(v);
  }
}
