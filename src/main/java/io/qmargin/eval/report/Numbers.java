package io.qmargin.eval.report;

import java.math.BigDecimal;
import java.util.Locale;

/** Formatting of rates and keys for reports. */
public final class Numbers {
  private Numbers() {}

  /**
   * A short decimal key for a FAR or P_target, readable by any float parser: plain for values >=
   * 0.001 ("0.01", "0.05", "0.1"), else mantissa and exponent ("1e-4", "2.5e-5", "1e-6").
   */
  public static String key(double x) {
    BigDecimal bd = new BigDecimal(Double.toString(x)).stripTrailingZeros();
    if (x >= 1e-3) {
      return bd.toPlainString();
    }
    String digits = bd.unscaledValue().toString();
    int exponent = digits.length() - 1 - bd.scale();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return mantissa + "e" + exponent;
  }

  /** A rate as a percentage with 4 significant digits, e.g. "0.8123%", "97.54%". */
  public static String percent(double rate) {
    if (Double.isNaN(rate)) {
      return "n/a";
    }
    double p = rate * 100;
    if (p == 0) {
      return "0%";
    }
    if (p >= 10) {
      return String.format(Locale.ROOT, "%.2f%%", p);
    }
    if (p >= 1) {
      return String.format(Locale.ROOT, "%.3f%%", p);
    }
    return String.format(Locale.ROOT, "%.4g%%", p);
  }

  /** A number with 4 significant digits (scores, thresholds, costs). */
  public static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+inf" : "-inf";
    }
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    if (a >= 1e-3 && a < 1e5) {
      return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
