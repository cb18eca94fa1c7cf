package io.qmargin.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.MinDcf;
import io.qmargin.eval.metrics.TarAtFar;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes the evaluation of one or several named systems into a directory:
 *
 * <ul>
 *   <li>one system: {@code metrics.json}, {@code roc.tsv};
 *   <li>several systems: {@code metrics.json} = {"systems": {name: {...}}} and, per system, {@code
 *       systems/<name>/metrics.json} and {@code systems/<name>/roc.tsv} (the layout of a
 *       single-system directory, which {@code eval compare} can read back);
 *   <li>{@code roc.png/.svg}, {@code det.png/.svg} with every system in one plot;
 *   <li>{@code report.md} embedding the plots, with the tables of {@link #summary}.
 * </ul>
 *
 * Every file is written atomically.
 */
public final class EvaluationReport {
  private EvaluationReport() {}

  /** Writes everything and returns the terminal summary. */
  public static String write(Path dir, List<SystemResult> systems, String title)
      throws IOException {
    if (systems.isEmpty()) {
      throw new IllegalArgumentException("no system to report");
    }
    Set<String> slugs = new HashSet<>();
    for (SystemResult s : systems) {
      if (!slugs.add(s.slug())) {
        throw new UserInputException(
            "two systems are named '" + s.name() + "': give each input its own name (NAME=PATH)");
      }
    }
    Files.createDirectories(dir);
    if (systems.size() == 1) {
      SystemResult s = systems.get(0);
      AtomicFiles.writeString(dir.resolve("metrics.json"), Json.pretty(MetricsJson.toJson(s)));
      CurveFile.write(dir.resolve("roc.tsv"), s.metrics().roc());
    } else {
      ObjectNode all = MetricsJson.MAPPER.createObjectNode();
      ObjectNode map = all.putObject("systems");
      for (SystemResult s : systems) {
        ObjectNode o = MetricsJson.toJson(s);
        map.set(s.name(), o);
        Path sub = dir.resolve("systems").resolve(s.slug());
        AtomicFiles.writeString(sub.resolve("metrics.json"), Json.pretty(o));
        CurveFile.write(sub.resolve("roc.tsv"), s.metrics().roc());
      }
      AtomicFiles.writeString(dir.resolve("metrics.json"), Json.pretty(all));
    }
    List<Plots.Series> series = new ArrayList<>();
    for (SystemResult s : systems) {
      series.add(new Plots.Series(s.name(), s.metrics().roc()));
    }
    Plots.save(Plots.rocChart(series, "ROC: " + title), dir, "roc");
    Plots.save(Plots.detChart(series, "DET: " + title), dir, "det");
    AtomicFiles.writeString(dir.resolve("report.md"), markdown(systems, title));
    return summary(systems);
  }

  /** The terminal summary: one block per system. */
  public static String summary(List<SystemResult> systems) {
    StringBuilder sb = new StringBuilder();
    for (SystemResult s : systems) {
      VerificationMetrics m = s.metrics();
      sb.append(s.name())
          .append(": ")
          .append(m.targets())
          .append(" target / ")
          .append(m.nontargets())
          .append(" non-target trials\n");
      sb.append("  ").append(scalars(m, "   ")).append('\n');
      StringBuilder dcf = new StringBuilder("  minDCF");
      for (MinDcf d : m.minDcf()) {
        dcf.append(
            String.format(
                Locale.ROOT, "  P=%s: %s", Numbers.key(d.pTarget()), Numbers.num(d.value())));
      }
      sb.append(dcf).append('\n');
      sb.append(
          "  FAR target  TAR strict [95% CI]                    (FA  thr)        TAR nearest, insightface (at FAR)\n");
      for (int k = 0; k < m.tarAtFar().size(); k++) {
        TarAtFar t = m.tarAtFar().get(k);
        TarAtFar n = m.tarAtFarNearest().get(k);
        if (!t.resolvable(m.nontargets())) {
          sb.append(
              String.format(
                  Locale.ROOT, "  %-10s  %s%n", Numbers.key(t.farTarget()), unresolved(t)));
          continue;
        }
        sb.append(
            String.format(
                Locale.ROOT,
                "  %-10s  %-9s [%s, %s]  %10s %-10s %-9s (%s)%n",
                Numbers.key(t.farTarget()),
                Numbers.percent(t.tar()),
                Numbers.percent(t.tarLow()),
                Numbers.percent(t.tarHigh()),
                t.falseAccepts(),
                Numbers.num(t.threshold()),
                Numbers.percent(n.tar()),
                Numbers.percent(n.far())));
      }
      for (Map.Entry<String, Object> e : s.extras().entrySet()) {
        if (e.getValue() instanceof Number || e.getValue() instanceof String) {
          sb.append("  ")
              .append(e.getKey())
              .append(": ")
              .append(e.getValue() instanceof Double d ? Numbers.num(d) : e.getValue())
              .append('\n');
        }
      }
    }
    return sb.toString();
  }

  static String markdown(List<SystemResult> systems, String title) {
    MetricOptions o = systems.get(0).metrics().options();
    StringBuilder sb = new StringBuilder();
    sb.append("# Verification report: ").append(title).append("\n\n");
    sb.append(
        "Accept iff score >= threshold; tied scores form one operating point. Rates in percent.\n\n");
    sb.append("| system | targets | non-targets | ");
    for (ScalarMetric k : ScalarMetric.ALL) {
      sb.append(k.label()).append(" | ");
    }
    for (MinDcf d : systems.get(0).metrics().minDcf()) {
      sb.append("minDCF(").append(Numbers.key(d.pTarget())).append(") | ");
    }
    for (TarAtFar t : systems.get(0).metrics().tarAtFar()) {
      sb.append("TAR@").append(Numbers.key(t.farTarget())).append(" | ");
    }
    sb.setLength(sb.length() - 1); // the trailing space
    sb.append("\n|---|---:|---:|");
    sb.append(
        "---:|"
            .repeat(
                ScalarMetric.ALL.size()
                    + systems.get(0).metrics().minDcf().size()
                    + systems.get(0).metrics().tarAtFar().size()));
    sb.append("\n");
    for (SystemResult s : systems) {
      VerificationMetrics m = s.metrics();
      sb.append("| ")
          .append(escape(s.name()))
          .append(" | ")
          .append(m.targets())
          .append(" | ")
          .append(m.nontargets())
          .append(" | ");
      for (ScalarMetric k : ScalarMetric.ALL) {
        sb.append(k.format(m)).append(" | ");
      }
      for (MinDcf d : m.minDcf()) {
        sb.append(Numbers.num(d.value())).append(" | ");
      }
      for (TarAtFar t : m.tarAtFar()) {
        sb.append(t.resolvable(m.nontargets()) ? Numbers.percent(t.tar()) : "n/a").append(" | ");
      }
      sb.setLength(sb.length() - 1); // the trailing space
      sb.append("\n");
    }
    sb.append(
            "\nTAR@FAR above is the **strict** convention (best TAR with FAR <= target); the per-system tables add ")
        .append(
            "the **nearest** one, insightface's IJB rule (the point of scikit-learn's `roc_curve` with ")
        .append("`drop_intermediate=True` whose FAR is closest to the target; it may exceed it). ")
        .append(
            "n/a: a FAR target below 1/non-targets, which the impostors cannot resolve (it needs at least 1/FAR of them).\n");
    sb.append("minDCF with C_miss = ")
        .append(Numbers.num(o.cMiss()))
        .append(", C_fa = ")
        .append(Numbers.num(o.cFa()))
        .append(", normalised by min(C_miss P_target, C_fa (1 - P_target)).\n\n");
    sb.append("![ROC](roc.png)\n\n![DET](det.png)\n\n");
    sb.append(
            "The DET plot shows miss rate against false accept rate on normal-deviate axes; lower-left is better, ")
        .append(
            "and a curve crosses the dashed diagonal at its EER. Vector versions: roc.svg, det.svg.\n");
    for (SystemResult s : systems) {
      VerificationMetrics m = s.metrics();
      sb.append("\n## ").append(escape(s.name())).append("\n\n");
      sb.append(scalars(m, ", ")).append(".\n\n");
      sb.append("| FAR target | TAR strict | ")
          .append(Math.round(o.confidenceLevel() * 100))
          .append(
              "% CI | threshold | impostors >= thr | TAR nearest (insightface) | its FAR | its threshold |\n");
      sb.append("|---:|---:|---|---:|---:|---:|---:|---:|\n");
      for (int k = 0; k < m.tarAtFar().size(); k++) {
        TarAtFar t = m.tarAtFar().get(k);
        TarAtFar n = m.tarAtFarNearest().get(k);
        if (!t.resolvable(m.nontargets())) {
          sb.append("| ")
              .append(Numbers.key(t.farTarget()))
              .append(" | ")
              .append(unresolved(t))
              .append(" | | | | | | |\n");
          continue;
        }
        sb.append("| ")
            .append(Numbers.key(t.farTarget()))
            .append(" | ")
            .append(Numbers.percent(t.tar()))
            .append(" | [")
            .append(Numbers.percent(t.tarLow()))
            .append(", ")
            .append(Numbers.percent(t.tarHigh()))
            .append("] | ")
            .append(Numbers.num(t.threshold()))
            .append(" | ")
            .append(t.falseAccepts())
            .append(" | ")
            .append(Numbers.percent(n.tar()))
            .append(" | ")
            .append(Numbers.percent(n.far()))
            .append(" | ")
            .append(Numbers.num(n.threshold()))
            .append(" |\n");
      }
      sb.append(
          "\n| P_target | minDCF | threshold | P_miss | P_fa |\n|---:|---:|---:|---:|---:|\n");
      for (MinDcf d : m.minDcf()) {
        sb.append("| ")
            .append(Numbers.key(d.pTarget()))
            .append(" | ")
            .append(Numbers.num(d.value()))
            .append(" | ")
            .append(Numbers.num(d.threshold()))
            .append(" | ")
            .append(Numbers.percent(d.pMiss()))
            .append(" | ")
            .append(Numbers.percent(d.pFa()))
            .append(" |\n");
      }
      if (!s.extras().isEmpty()) {
        sb.append("\n");
        for (Map.Entry<String, Object> e : s.extras().entrySet()) {
          sb.append("- ").append(e.getKey()).append(": ").append(render(e.getValue())).append("\n");
        }
      }
    }
    return sb.toString();
  }

  /** Every {@link ScalarMetric} of {@code m} as "label value", joined by {@code separator}. */
  private static String scalars(VerificationMetrics m, String separator) {
    StringBuilder sb = new StringBuilder();
    for (ScalarMetric k : ScalarMetric.ALL) {
      sb.append(sb.length() > 0 ? separator : "").append(k.label()).append(' ').append(k.format(m));
    }
    return sb.toString();
  }

  /** The entry of a FAR target that the non-targets cannot resolve, in place of its numbers. */
  public static String unresolved(TarAtFar t) {
    return "n/a (needs >= " + t.impostorsNeeded() + " impostors)";
  }

  private static String render(Object v) {
    if (v instanceof Double d) {
      return Numbers.num(d);
    }
    if (v instanceof double[] a) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < a.length; i++) {
        sb.append(i > 0 ? ", " : "").append(Numbers.num(a[i]));
      }
      return sb.append("]").toString();
    }
    return String.valueOf(v);
  }

  private static String escape(String s) {
    return s.replace("|", "\\|");
  }

  /**
   * Reads back a single-system directory written by {@link #write} (metrics.json and roc.tsv), for
   * comparing systems evaluated separately. The name defaults to the one stored in metrics.json.
   */
  public static SystemResult read(Path dir, String name) {
    Path json = dir.resolve("metrics.json");
    JsonNode o;
    try {
      o = MetricsJson.MAPPER.readTree(json.toFile());
    } catch (IOException e) {
      throw new UserInputException(json + ": cannot read: " + e.getMessage(), e);
    }
    if (o.has("systems")) {
      throw new UserInputException(
          json + ": holds several systems; give its systems/<name> sub-directories instead");
    }
    VerificationMetrics m =
        MetricsJson.fromJson(
            json,
            o,
            (targets, nontargets) -> CurveFile.read(dir.resolve("roc.tsv"), targets, nontargets));
    String n = name != null ? name : o.path("name").asText(dir.getFileName().toString());
    return new SystemResult(n, m);
  }
}
