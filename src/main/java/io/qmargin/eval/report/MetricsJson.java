package io.qmargin.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.MinDcf;
import io.qmargin.eval.metrics.RocCurve;
import io.qmargin.eval.metrics.TarAtFar;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The metrics.json layout, written by {@link #toJson} and read back by {@link #fromJson}; the
 * single-number metrics are those of {@link ScalarMetric#ALL}. Rates are fractions in [0, 1]. Keyed
 * objects use {@link Numbers#key} for FARs and priors ("1e-4", "0.01"); the plain keyed objects
 * hold numbers, the {@code *_detail} objects the operating point behind each number. Non-finite
 * numbers are written as null.
 */
public final class MetricsJson {
  private MetricsJson() {}

  static final ObjectMapper MAPPER = Json.mapper();

  /**
   * conventions.tar_at_far_nearest; {@link EvaluationReport#read} refuses files with another rule.
   */
  static final String NEAREST_CONVENTION =
      "insightface's IJB rule: among the points of scikit-learn's roc_curve with"
          + " drop_intermediate=True plus (0, 0), the one with the smallest |FAR - target| in double precision (may exceed"
          + " the target); equal distance: the lowest threshold (highest TAR)";

  /** The JSON object of one system. */
  public static ObjectNode toJson(SystemResult r) {
    VerificationMetrics m = r.metrics();
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", r.name());
    o.put("targets", m.targets());
    o.put("nontargets", m.nontargets());
    for (ScalarMetric k : ScalarMetric.ALL) {
      put(o, k.key(), k.of(m));
    }
    ObjectNode dcf = o.putObject("min_dcf");
    for (MinDcf d : m.minDcf()) {
      put(dcf, Numbers.key(d.pTarget()), d.value());
    }
    ObjectNode dcfDetail = o.putObject("min_dcf_detail");
    for (MinDcf d : m.minDcf()) {
      ObjectNode x = dcfDetail.putObject(Numbers.key(d.pTarget()));
      put(x, "value", d.value());
      put(x, "threshold", d.threshold());
      put(x, "p_miss", d.pMiss());
      put(x, "p_fa", d.pFa());
    }
    put(o, "c_miss", m.options().cMiss());
    put(o, "c_fa", m.options().cFa());
    put(o, "ci_level", m.options().confidenceLevel());
    put(o, "curve_resolution", m.options().curveResolution());
    tar(o, "tar_at_far", m.tarAtFar(), m);
    tar(o, "tar_at_far_nearest", m.tarAtFarNearest(), m);
    ObjectNode conv = o.putObject("conventions");
    conv.put("accept", "score >= threshold; tied scores are one operating point");
    conv.put("tar_at_far", "strict: best TAR over thresholds with FAR <= target");
    conv.put("tar_at_far_nearest", NEAREST_CONVENTION);
    for (ScalarMetric k : ScalarMetric.ALL) {
      if (k.convention() != null) {
        conv.put(k.key(), k.convention());
      }
    }
    conv.put(
        "min_dcf",
        "min over thresholds of C_miss*P_miss*P_target + C_fa*P_fa*(1-P_target), divided by min(C_miss*P_target, C_fa*(1-P_target))");
    conv.put(
        "ci",
        "Clopper-Pearson interval of the TAR at level "
            + m.options().confidenceLevel()
            + ", threshold held fixed");
    for (Map.Entry<String, Object> e : r.extras().entrySet()) {
      o.set(e.getKey(), MAPPER.valueToTree(sanitize(e.getValue())));
    }
    return o;
  }

  private static void tar(ObjectNode o, String field, List<TarAtFar> list, VerificationMetrics m) {
    ObjectNode plain = o.putObject(field);
    for (TarAtFar t : list) {
      put(plain, Numbers.key(t.farTarget()), t.tar());
    }
    ObjectNode detail = o.putObject(field + "_detail");
    for (TarAtFar t : list) {
      ObjectNode x = detail.putObject(Numbers.key(t.farTarget()));
      put(x, "tar", t.tar());
      put(x, "far", t.far());
      put(x, "threshold", t.threshold());
      x.put("true_accepts", t.trueAccepts());
      x.put("false_accepts", t.falseAccepts());
      put(x, "expected_false_accepts", t.expectedFalseAccepts(m.nontargets()));
      ArrayNode ci = x.putArray("tar_ci");
      ci.add(t.tarLow());
      ci.add(t.tarHigh());
    }
  }

  /** The fields without which a file is not a metrics.json of one system. */
  private static List<String> requiredFields() {
    List<String> f =
        new ArrayList<>(
            List.of(
                "targets",
                "nontargets",
                "tar_at_far_detail",
                "tar_at_far_nearest_detail",
                "min_dcf_detail"));
    for (ScalarMetric k : ScalarMetric.ALL) {
      f.add(k.key());
    }
    return f;
  }

  /**
   * The metrics of one system from its JSON object {@code o}, read from {@code json}; {@code roc}
   * reads the curve for the given target and non-target counts. Missing or malformed fields are
   * {@link UserInputException}s naming the file and the key.
   */
  static VerificationMetrics fromJson(Path json, JsonNode o, CurveReader roc) {
    for (String f : requiredFields()) {
      if (!o.has(f)) {
        throw new UserInputException(json + ": no '" + f + "' field: not a qmargin metrics.json");
      }
    }
    String nearestRule =
        o.path("conventions").path("tar_at_far_nearest").asText(NEAREST_CONVENTION);
    if (!nearestRule.equals(NEAREST_CONVENTION)) {
      throw new UserInputException(
          json
              + ": its tar_at_far_nearest follows another rule (\""
              + nearestRule
              + "\") than this version's (insightface's); evaluate its scores again, or compare the score files themselves");
    }
    long targets = Json.count(json, "targets", o.get("targets"));
    long nontargets = Json.count(json, "nontargets", o.get("nontargets"));
    Map<ScalarMetric, Double> scalar = new HashMap<>();
    for (ScalarMetric k : ScalarMetric.ALL) {
      scalar.put(k, Json.number(json, k.key(), o.path(k.key()), Double.NaN));
    }
    MetricOptions defaults = MetricOptions.defaults();
    double level = Json.number(json, "ci_level", o.path("ci_level"), defaults.confidenceLevel());
    List<TarAtFar> strict =
        tars(json, "tar_at_far_detail", o.get("tar_at_far_detail"), TarAtFar.Convention.STRICT);
    List<TarAtFar> nearest =
        tars(
            json,
            "tar_at_far_nearest_detail",
            o.get("tar_at_far_nearest_detail"),
            TarAtFar.Convention.NEAREST);
    List<MinDcf> dcf = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.get("min_dcf_detail").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode d = e.getValue();
      String k = "min_dcf_detail." + e.getKey() + ".";
      dcf.add(
          new MinDcf(
              Json.numericKey(json, "min_dcf_detail", e.getKey()),
              Json.number(json, k + "value", d.path("value"), Double.NaN),
              Json.number(json, k + "threshold", d.path("threshold"), Double.NaN),
              Json.number(json, k + "p_miss", d.path("p_miss"), Double.NaN),
              Json.number(json, k + "p_fa", d.path("p_fa"), Double.NaN)));
    }
    MetricOptions opts =
        new MetricOptions(
            strict.stream().map(TarAtFar::farTarget).toList(),
            dcf.stream().map(MinDcf::pTarget).toList(),
            Json.number(json, "c_miss", o.path("c_miss"), defaults.cMiss()),
            Json.number(json, "c_fa", o.path("c_fa"), defaults.cFa()),
            level,
            Json.number(
                json, "curve_resolution", o.path("curve_resolution"), defaults.curveResolution()));
    return new VerificationMetrics(
        targets,
        nontargets,
        scalar.get(ScalarMetric.EER),
        scalar.get(ScalarMetric.EER_ROCCH),
        scalar.get(ScalarMetric.EER_THRESHOLD),
        dcf,
        strict,
        nearest,
        scalar.get(ScalarMetric.AUC),
        roc.read(targets, nontargets),
        opts);
  }

  /** Reads the ROC curve stored beside a metrics.json. */
  @FunctionalInterface
  interface CurveReader {
    RocCurve read(long targets, long nontargets);
  }

  private static List<TarAtFar> tars(
      Path json, String table, JsonNode detail, TarAtFar.Convention c) {
    List<TarAtFar> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = detail.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode d = e.getValue();
      String k = table + "." + e.getKey() + ".";
      out.add(
          new TarAtFar(
              Json.numericKey(json, table, e.getKey()),
              c,
              Json.number(json, k + "tar", d.path("tar"), Double.NaN),
              Json.number(json, k + "far", d.path("far"), Double.NaN),
              Json.number(json, k + "threshold", d.path("threshold"), Double.NaN),
              Json.count(json, k + "true_accepts", d.path("true_accepts")),
              Json.count(json, k + "false_accepts", d.path("false_accepts")),
              Json.number(json, k + "tar_ci[0]", d.path("tar_ci").path(0), Double.NaN),
              Json.number(json, k + "tar_ci[1]", d.path("tar_ci").path(1), Double.NaN)));
    }
    return out;
  }

  static void put(ObjectNode o, String k, double v) {
    if (Double.isFinite(v)) {
      o.put(k, v);
    } else {
      o.putNull(k);
    }
  }

  private static Object sanitize(Object v) {
    if (v instanceof Double d && !Double.isFinite(d)) {
      return null;
    }
    if (v instanceof double[] a) {
      Double[] b = new Double[a.length];
      for (int i = 0; i < a.length; i++) {
        b[i] = Double.isFinite(a[i]) ? a[i] : null;
      }
      return b;
    }
    return v;
  }
}
