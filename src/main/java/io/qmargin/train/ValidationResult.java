package io.qmargin.train;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.TarAtFar;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.KFoldAccuracy;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.report.EvaluationReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics of one validation protocol: the full {@link VerificationMetrics} and, for protocols with
 * folds (LFW-style pairs), the k-fold accuracy.
 */
public record ValidationResult(
    String protocol, LabeledScores scores, VerificationMetrics metrics, KFoldAccuracy accuracy) {

  public static ValidationResult of(
      String protocol, LabeledScores scores, List<Double> fars, KFoldAccuracy accuracy) {
    MetricOptions options = MetricOptions.defaults().withFarTargets(fars);
    VerificationMetrics m =
        VerificationMetrics.compute(scores.targets(), scores.nontargets(), options);
    return new ValidationResult(protocol, scores, m, accuracy);
  }

  /**
   * TAR at the given FAR (strict convention: the best TAR whose FAR does not exceed the target).
   */
  public double tarAt(double far) {
    return entry(far).tar();
  }

  /** Whether this protocol's impostors can resolve {@code far} (at least 1 / far of them). */
  public boolean resolves(double far) {
    return entry(far).resolvable(metrics.nontargets());
  }

  /**
   * TAR at {@code far} in percent ("5.40%"), or "n/a (needs >= N impostors)" when the impostors
   * cannot resolve it: with fewer than 1 / far impostors the value only counts the targets above
   * the highest impostor.
   */
  public String tarAtText(double far) {
    TarAtFar t = entry(far);
    return t.resolvable(metrics.nontargets())
        ? String.format(java.util.Locale.ROOT, "%.2f%%", 100 * t.tar())
        : EvaluationReport.unresolved(t);
  }

  private TarAtFar entry(double far) {
    for (TarAtFar t : metrics.tarAtFar()) {
      if (t.farTarget() == far) {
        return t;
      }
    }
    return metrics.tarAtFar(far);
  }

  /** The compact form written to validation.jsonl and results.json (rates as fractions). */
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("protocol", protocol);
    m.put("targets", metrics.targets());
    m.put("nontargets", metrics.nontargets());
    Map<String, Object> tar = new LinkedHashMap<>();
    for (TarAtFar t : metrics.tarAtFar()) {
      tar.put(formatFar(t.farTarget()), t.tar());
    }
    m.put("tar_at_far", tar);
    m.put("eer", metrics.eer());
    m.put("min_dcf_0.01", metrics.minDcf(0.01).value());
    m.put("auc", metrics.auc());
    if (accuracy != null) {
      m.put("accuracy", accuracy.mean());
      m.put("accuracy_std", accuracy.std());
    }
    return m;
  }

  public static String formatFar(double far) {
    String s = String.format(java.util.Locale.ROOT, "%.0e", far);
    return s.replace("e-0", "e-").replace("e+0", "e+");
  }
}
