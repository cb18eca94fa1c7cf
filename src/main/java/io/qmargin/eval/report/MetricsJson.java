package io.qmargin.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.eval.metrics.MinDcf;
import io.qmargin.eval.metrics.TarAtFar;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.util.List;
import java.util.Map;

/**
 * The metrics.json layout. Rates are fractions in [0, 1]. Keyed objects use {@link Numbers#key}
 * for FARs and priors ("1e-4", "0.01"); the plain keyed objects hold numbers, the {@code *_detail}
 * objects the operating point behind each number. Non-finite numbers are written as null.
 */
public final class MetricsJson {
  private MetricsJson() {}

  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** conventions.tar_at_far_nearest; {@link EvaluationReport#read} refuses files with another rule. */
  static final String NEAREST_CONVENTION = "insightface's IJB rule: among the points of scikit-learn's roc_curve with"
      + " drop_intermediate=True plus (0, 0), the one with the smallest |FAR - target| in double precision (may exceed"
      + " the target); equal distance: the lowest threshold (highest TAR)";

  /** The JSON object of one system. */
  public static ObjectNode toJson(SystemResult r) {
    VerificationMetrics m = r.metrics();
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", r.name());
    o.put("targets", m.targets());
    o.put("nontargets", m.nontargets());
    put(o, "eer", m.eer());
    put(o, "eer_rocch", m.eerRocch());
    put(o, "eer_threshold", m.eerThreshold());
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
    put(o, "auc", m.auc());
    ObjectNode conv = o.putObject("conventions");
    conv.put("accept", "score >= threshold; tied scores are one operating point");
    conv.put("tar_at_far", "strict: best TAR over thresholds with FAR <= target");
    conv.put("tar_at_far_nearest", NEAREST_CONVENTION);
    conv.put("eer", "linear interpolation between the two operating points where FRR - FAR changes sign (NIST SRE)");
    conv.put("eer_rocch", "the same crossing on the ROC convex hull (BOSARIS ROCCH-EER)");
    conv.put("min_dcf", "min over thresholds of C_miss*P_miss*P_target + C_fa*P_fa*(1-P_target), divided by min(C_miss*P_target, C_fa*(1-P_target))");
    conv.put("ci", "Clopper-Pearson interval of the TAR at level " + m.options().confidenceLevel() + ", threshold held fixed");
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

  public static String toString(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
