package io.qmargin.eval.report;

import io.qmargin.eval.metrics.VerificationMetrics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics of one named system, plus protocol-specific values that go into metrics.json beside
 * the standard fields (e.g. {@code lfw_accuracy}, {@code score_norm}).
 */
public record SystemResult(String name, VerificationMetrics metrics, Map<String, Object> extras) {

  public SystemResult {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a system needs a name");
    }
    extras = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extras));
  }

  public SystemResult(String name, VerificationMetrics metrics) {
    this(name, metrics, Map.of());
  }

  /** A file-system friendly version of the name (for per-system sub-directories). */
  public String slug() {
    String s = name.replaceAll("[^A-Za-z0-9._-]+", "_");
    return s.isEmpty() || s.startsWith(".") ? "system" + s : s;
  }
}
