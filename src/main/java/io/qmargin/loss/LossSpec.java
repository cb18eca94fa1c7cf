package io.qmargin.loss;

import io.qmargin.UserInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses the textual loss spec used by the CLI and configs: {@code NAME} or {@code
 * NAME:key=value,...}, e.g. {@code qmargin:alpha=1.25,s=35,m=0.2} or {@code
 * arcface:s=64,m=0.5,easy_margin=true}. Unknown names, unknown or repeated keys and out-of-range
 * values are errors that name the offending part.
 *
 * <p>Defaults (docs/method.md sections 2 and 5): face settings s = 64 for the softmax margins,
 * ArcFace m = 0.5, CosFace m = 0.35, combined (m1, m2, m3) = (1, 0.3, 0.2) as in insightface; the
 * paper's face recipe α = 1.25, s = 35, m = 0.2 for qmargin, and the same α and s for entmax,
 * sparsemax (α = 2) and a3m (project choice for a3m's m: 0.2, as qmargin).
 */
public final class LossSpec {
  private LossSpec() {}

  private record Definition(String name, Map<String, String> defaults, String summary) {}

  private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();

  static {
    define("normface", "normalised softmax: theta = s*cos", "s", "64");
    define("cosface", "CosFace / AM-softmax: theta_y = s*(cos_y - m)", "s", "64", "m", "0.35");
    define(
        "arcface",
        "ArcFace: theta_y = s*cos(phi_y + m)",
        "s",
        "64",
        "m",
        "0.5",
        "easy_margin",
        "false",
        "straight_through",
        "false");
    define(
        "combined",
        "combined margin: theta_y = s*(cos(m1*phi_y + m2) - m3)",
        "s",
        "64",
        "m1",
        "1.0",
        "m2",
        "0.3",
        "m3",
        "0.2",
        "easy_margin",
        "false",
        "straight_through",
        "false");
    define("entmax", "alpha-entmax loss, no margin (q = 1)", "alpha", "1.25", "s", "35");
    define("sparsemax", "sparsemax loss (alpha = 2, q = 1)", "s", "35");
    define(
        "qmargin",
        "Q-Margin: alpha operator, margin in the prior q_y = exp(-s*m)",
        "alpha",
        "1.25",
        "s",
        "35",
        "m",
        "0.2");
    define(
        "a3m",
        "A3M: alpha operator on ArcFace logits (q = 1)",
        "alpha",
        "1.25",
        "s",
        "35",
        "m",
        "0.2",
        "easy_margin",
        "false",
        "straight_through",
        "false");
  }

  private static void define(String name, String summary, String... keyValues) {
    Map<String, String> d = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      d.put(keyValues[i], keyValues[i + 1]);
    }
    DEFINITIONS.put(name, new Definition(name, d, summary));
  }

  /** The loss names, in the order the demo and the help list them. */
  public static List<String> names() {
    return List.copyOf(DEFINITIONS.keySet());
  }

  /** One line per loss: name, defaults and what it is (for --help texts). */
  public static String describeAll() {
    return DEFINITIONS.values().stream()
        .map(
            d ->
                String.format(
                    Locale.ROOT,
                    "  %-10s %s%n             defaults: %s",
                    d.name(),
                    d.summary(),
                    d.defaults().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(","))))
        .collect(Collectors.joining("\n"));
  }

  public static VerificationLoss parse(String text) {
    if (text == null || text.isBlank()) {
      throw new UserInputException(
          "empty loss spec; expected NAME or NAME:key=value,... with NAME one of " + names());
    }
    String trimmed = text.trim();
    int colon = trimmed.indexOf(':');
    String name =
        (colon < 0 ? trimmed : trimmed.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
    Definition def = DEFINITIONS.get(name);
    if (def == null) {
      throw new UserInputException(
          "unknown loss '" + name + "' in spec '" + text + "'; known losses: " + names());
    }
    Map<String, String> values = new LinkedHashMap<>(def.defaults());
    if (colon >= 0) {
      String rest = trimmed.substring(colon + 1).trim();
      if (!rest.isEmpty()) {
        Set<String> seen = new java.util.HashSet<>();
        for (String part : rest.split(",")) {
          int eq = part.indexOf('=');
          if (eq <= 0 || eq == part.length() - 1) {
            throw new UserInputException(
                "loss spec '" + text + "': '" + part.trim() + "' is not key=value");
          }
          String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT).replace('-', '_');
          String value = part.substring(eq + 1).trim();
          if (!def.defaults().containsKey(key)) {
            throw new UserInputException(
                "loss spec '"
                    + text
                    + "': unknown key '"
                    + key
                    + "' for "
                    + name
                    + "; allowed keys: "
                    + def.defaults().keySet());
          }
          if (!seen.add(key)) {
            throw new UserInputException("loss spec '" + text + "': key '" + key + "' given twice");
          }
          values.put(key, value);
        }
      }
    }
    Reader r = new Reader(text, values);
    double s = r.positive("s");
    VerificationLoss loss =
        switch (name) {
          case "normface" -> build(name, values, 1.0, s, TargetMargin.NONE, 0);
          case "cosface" ->
              build(name, values, 1.0, s, TargetMargin.additive(r.range("m", 0, 2)), 0);
          case "arcface" ->
              build(
                  name,
                  values,
                  1.0,
                  s,
                  TargetMargin.angular(
                      r.range("m", 0, Math.PI), r.bool("easy_margin"), r.bool("straight_through")),
                  0);
          case "combined" ->
              build(
                  name,
                  values,
                  1.0,
                  s,
                  new TargetMargin(
                      r.positive("m1"),
                      r.range("m2", 0, Math.PI),
                      r.range("m3", 0, 2),
                      r.bool("easy_margin"),
                      r.bool("straight_through")),
                  0);
          case "entmax" -> build(name, values, r.alpha(), s, TargetMargin.NONE, 0);
          case "sparsemax" -> build(name, values, 2.0, s, TargetMargin.NONE, 0);
          case "qmargin" ->
              build(name, values, r.alpha(), s, TargetMargin.NONE, r.range("m", 0, 2));
          case "a3m" ->
              build(
                  name,
                  values,
                  r.alpha(),
                  s,
                  TargetMargin.angular(
                      r.range("m", 0, Math.PI), r.bool("easy_margin"), r.bool("straight_through")),
                  0);
          default -> throw new IllegalStateException(name);
        };
    return loss;
  }

  private static VerificationLoss build(
      String name,
      Map<String, String> values,
      double alpha,
      double s,
      TargetMargin margin,
      double priorMargin) {
    String canonical =
        name
            + ":"
            + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    return new VerificationLoss(name, canonical, alpha, s, margin, priorMargin);
  }

  /** Typed access to the spec's values with range checks that name the key and the spec. */
  private record Reader(String text, Map<String, String> values) {
    double number(String key) {
      String v = values.get(key);
      try {
        double d = Double.parseDouble(v);
        if (!Double.isFinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new UserInputException(
            "loss spec '" + text + "': " + key + "=" + v + " is not a finite number");
      }
    }

    double positive(String key) {
      double d = number(key);
      if (!(d > 0)) {
        throw new UserInputException(
            "loss spec '" + text + "': " + key + " must be > 0, got " + values.get(key));
      }
      return d;
    }

    double range(String key, double lo, double hi) {
      double d = number(key);
      if (d < lo || d >= hi) {
        throw new UserInputException(
            "loss spec '"
                + text
                + "': "
                + key
                + " must be in ["
                + lo
                + ", "
                + hi
                + "), got "
                + values.get(key));
      }
      return d;
    }

    double alpha() {
      double a = number("alpha");
      if (a < 1 || a > 10) {
        throw new UserInputException(
            "loss spec '"
                + text
                + "': alpha must be in [1, 10] (alpha = 1 is softmax, > 1 sparse), got "
                + values.get("alpha"));
      }
      return a;
    }

    boolean bool(String key) {
      String v = values.get(key).toLowerCase(Locale.ROOT);
      return switch (v) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw new UserInputException(
                "loss spec '"
                    + text
                    + "': "
                    + key
                    + " must be true or false, got "
                    + values.get(key));
      };
    }
  }
}
