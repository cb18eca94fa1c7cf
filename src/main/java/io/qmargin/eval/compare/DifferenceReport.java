package io.qmargin.eval.compare;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.eval.report.Numbers;
import io.qmargin.io.Json;
import java.util.List;
import java.util.Locale;

/**
 * Text, markdown and JSON of paired bootstrap differences (B - A). TAR and EER are rates, shown in
 * percent with differences in percentage points (pp); minDCF is shown as it is.
 */
public final class DifferenceReport {
  private DifferenceReport() {}

  /** One line per difference, for the console and report.md. */
  public static String line(Difference d) {
    String head = d.systemB() + " - " + d.systemA() + ", " + d.metric() + ": ";
    if (!d.resolved()) {
      return head + "n/a (FAR target below 1 / impostors)";
    }
    return head
        + value(d, d.difference())
        + " ["
        + value(d, d.low())
        + ", "
        + value(d, d.high())
        + "] "
        + Math.round(d.level() * 100)
        + "% CI, p = "
        + String.format(Locale.ROOT, "%.3g", d.pValue())
        + (d.significant()
            ? ", significant at " + Math.round((1 - d.level()) * 100) + "%"
            : ", not significant at " + Math.round((1 - d.level()) * 100) + "%");
  }

  /** The console block. */
  public static String summary(List<Difference> diffs, String method) {
    StringBuilder sb = new StringBuilder("differences (" + method + "):\n");
    for (Difference d : diffs) {
      sb.append("  ").append(line(d)).append('\n');
    }
    return sb.toString();
  }

  /** The report.md section. */
  public static String markdown(List<Difference> diffs, String method) {
    StringBuilder sb = new StringBuilder("\n## Differences between systems\n\n");
    sb.append(method).append(".\n\n");
    sb.append("| B - A | metric | A | B | B - A | interval | p | significant |\n");
    sb.append("|---|---|---:|---:|---:|---|---:|---|\n");
    for (Difference d : diffs) {
      sb.append("| ").append(d.systemB()).append(" - ").append(d.systemA());
      sb.append(" | ").append(d.metric());
      if (!d.resolved()) {
        sb.append(" | n/a | n/a | n/a | FAR target below 1 / impostors | | |\n");
        continue;
      }
      sb.append(" | ").append(plain(d, d.valueA()));
      sb.append(" | ").append(plain(d, d.valueB()));
      sb.append(" | ").append(value(d, d.difference()));
      sb.append(" | [").append(value(d, d.low())).append(", ").append(value(d, d.high()));
      sb.append("] | ").append(String.format(Locale.ROOT, "%.3g", d.pValue()));
      sb.append(" | ")
          .append(d.significant() ? "yes" : "**no** (interval covers 0)")
          .append(" |\n");
    }
    return sb.toString();
  }

  /** The metrics.json {@code differences} block: one object per difference. */
  public static ArrayNode json(List<Difference> diffs, String method, int replicates) {
    ArrayNode arr = Json.mapper().createArrayNode();
    for (Difference d : diffs) {
      ObjectNode o = arr.addObject();
      o.put("a", d.systemA());
      o.put("b", d.systemB());
      o.put("metric", d.metric());
      o.put("method", method);
      o.put("replicates", replicates);
      o.put("level", d.level());
      if (d.resolved()) {
        o.put("value_a", d.valueA());
        o.put("value_b", d.valueB());
        o.put("difference", d.difference());
        o.put("low", d.low());
        o.put("high", d.high());
        o.put("p_value", d.pValue());
        o.put("significant", d.significant());
      } else {
        o.putNull("difference");
        o.put("note", "FAR target below 1 / impostors");
      }
    }
    return arr;
  }

  private static boolean isRate(Difference d) {
    return !d.metric().startsWith("minDCF");
  }

  private static String plain(Difference d, double v) {
    return isRate(d) ? Numbers.percent(v) : Numbers.num(v);
  }

  private static String value(Difference d, double v) {
    if (!isRate(d)) {
      return String.format(Locale.ROOT, "%+.4f", v);
    }
    return String.format(Locale.ROOT, "%+.3f pp", v * 100);
  }
}
