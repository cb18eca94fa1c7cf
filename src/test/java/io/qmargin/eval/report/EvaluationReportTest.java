package io.qmargin.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {
  @TempDir Path dir;

  @Test
  void keysAreShortDecimals() {
    assertThat(Numbers.key(1e-6)).isEqualTo("1e-6");
    assertThat(Numbers.key(1e-4)).isEqualTo("1e-4");
    assertThat(Numbers.key(2.5e-5)).isEqualTo("2.5e-5");
    assertThat(Numbers.key(0.001)).isEqualTo("0.001");
    assertThat(Numbers.key(0.01)).isEqualTo("0.01");
    assertThat(Numbers.key(0.05)).isEqualTo("0.05");
    assertThat(Numbers.key(0.1)).isEqualTo("0.1");
    assertThat(Numbers.key(1.0)).isEqualTo("1");
  }

  @Test
  void writesMetricsJsonPlotsAndReport() throws Exception {
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {0.8, 0.6, 0.6, 0.3},
            new double[] {0.7, 0.6, 0.2, 0.1, 0.0},
            MetricOptions.defaults());
    String summary =
        EvaluationReport.write(
            dir, List.of(new SystemResult("sys", m, Map.of("lfw_accuracy", 0.5))), "test");
    assertThat(summary).contains("sys: 4 target / 5 non-target trials").contains("EER 35.71%");
    JsonNode j = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    assertThat(j.get("targets").asLong()).isEqualTo(4);
    assertThat(j.get("nontargets").asLong()).isEqualTo(5);
    assertThat(j.get("eer").asDouble()).isEqualTo(5.0 / 14);
    assertThat(j.get("eer_rocch").asDouble()).isEqualTo(m.eerRocch());
    assertThat(j.get("eer_threshold").asDouble()).isEqualTo(0.6);
    assertThat(j.get("auc").asDouble()).isEqualTo(0.75);
    assertThat(j.get("min_dcf").has("0.01")).isTrue();
    assertThat(j.get("min_dcf").has("0.05")).isTrue();
    for (String k : List.of("1e-6", "1e-5", "1e-4", "0.001", "0.01", "0.1")) {
      assertThat(j.get("tar_at_far").get(k).isNumber()).as(k).isTrue();
      assertThat(j.get("tar_at_far_nearest").get(k).isNumber()).as(k).isTrue();
      assertThat(j.get("tar_at_far_detail").get(k).get("tar_ci").size()).isEqualTo(2);
    }
    assertThat(j.get("tar_at_far").get("0.1").asDouble()).isEqualTo(0.25);
    assertThat(j.get("lfw_accuracy").asDouble()).isEqualTo(0.5);
    for (String f : List.of("roc.png", "roc.svg", "det.png", "det.svg", "report.md", "roc.tsv")) {
      assertThat(Files.size(dir.resolve(f))).as(f).isGreaterThan(100);
    }
    assertThat(Files.readString(dir.resolve("det.svg"))).contains("<svg");
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md)
        .contains("![ROC](roc.png)")
        .contains("![DET](det.png)")
        .contains("| sys |")
        .contains("strict");

    SystemResult back = EvaluationReport.read(dir, null);
    assertThat(back.name()).isEqualTo("sys");
    assertThat(back.metrics().eer()).isEqualTo(m.eer());
    assertThat(back.metrics().tarAtFar()).isEqualTo(m.tarAtFar());
    assertThat(back.metrics().roc().thresholds()).containsExactly(m.roc().thresholds());
  }

  /*
   * 10 non-targets resolve FAR 0.1 (one impostor) and 0.3, not 0.05 (it needs 20): its rows say so
   * instead of a number, in the console and in report.md; metrics.json keeps the value.
   */
  @Test
  void farTargetsTheImpostorsCannotResolveAreMarked() throws Exception {
    double[] n = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {0.85, 0.95},
            n,
            MetricOptions.defaults().withFarTargets(List.of(0.05, 0.1, 0.3)));
    String summary = EvaluationReport.write(dir, List.of(new SystemResult("sys", m)), "test");
    assertThat(summary).contains("  0.05        n/a (needs >= 20 impostors)\n");
    assertThat(summary).containsPattern("\n  0\\.1 +100\\.00% +\\[");
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("| 0.05 | n/a (needs >= 20 impostors) |");
    assertThat(md)
        .contains("| n/a | 100.00% | 100.00% |"); // TAR@0.05, @0.1, @0.3 in the summary table
    JsonNode j = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    assertThat(j.get("tar_at_far").get("0.05").asDouble()).isEqualTo(0.5);
  }

  @Test
  void refusesMetricsWhoseNearestTarAtFarFollowsAnotherRule() throws Exception {
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {0.9, 0.5}, new double[] {0.8, 0.7, 0.6, 0.4}, MetricOptions.defaults());
    EvaluationReport.write(dir, List.of(new SystemResult("sys", m)), "test");
    Path json = dir.resolve("metrics.json");
    String old =
        "the ROC point whose FAR is closest to the target (may exceed it); equal distance: higher TAR";
    Files.writeString(json, Files.readString(json).replace(MetricsJson.NEAREST_CONVENTION, old));
    assertThatThrownBy(() -> EvaluationReport.read(dir, null))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(json + ": its tar_at_far_nearest follows another rule");
  }

  @Test
  void severalSystemsShareOnePlot() throws Exception {
    VerificationMetrics a =
        VerificationMetrics.compute(
            new double[] {1, 2}, new double[] {0, 1.5}, MetricOptions.defaults());
    VerificationMetrics b =
        VerificationMetrics.compute(
            new double[] {3, 2}, new double[] {0, 1}, MetricOptions.defaults());
    EvaluationReport.write(
        dir, List.of(new SystemResult("A", a), new SystemResult("B b", b)), "two");
    JsonNode j = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    assertThat(j.get("systems").has("A")).isTrue();
    assertThat(j.get("systems").get("B b").get("eer").asDouble()).isZero();
    assertThat(dir.resolve("systems/B_b/metrics.json")).exists();
    assertThat(dir.resolve("roc.svg")).exists();
    assertThat(Files.readString(dir.resolve("report.md"))).contains("| A |").contains("| B b |");
  }

  /* Every scalar metric goes into metrics.json under its key, is read back, and is printed with its label. */
  @Test
  void everyScalarMetricIsWrittenReadBackAndPrinted() throws Exception {
    // hand-computed: EER 5/14 at threshold 0.6 (see writesMetricsJsonPlotsAndReport), AUC 15/20
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {0.8, 0.6, 0.6, 0.3},
            new double[] {0.7, 0.6, 0.2, 0.1, 0.0},
            MetricOptions.defaults());
    String summary = EvaluationReport.write(dir, List.of(new SystemResult("sys", m)), "test");
    JsonNode j = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    VerificationMetrics back = EvaluationReport.read(dir, null).metrics();
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(ScalarMetric.ALL)
        .extracting(ScalarMetric::key)
        .containsExactly("eer", "eer_rocch", "eer_threshold", "auc");
    for (ScalarMetric k : ScalarMetric.ALL) {
      assertThat(j.get(k.key()).asDouble()).as(k.key()).isEqualTo(k.of(m));
      assertThat(k.of(back)).as(k.key()).isEqualTo(k.of(m));
      assertThat(summary).contains(k.label() + " " + k.format(m));
      assertThat(md).contains("| " + k.label() + " |").contains(k.label() + " " + k.format(m));
    }
    assertThat(summary).contains("EER threshold 0.6").contains("AUC 0.75");
    assertThat(back.eerThreshold()).isEqualTo(0.6);
    assertThat(back.auc()).isEqualTo(0.75);
  }

  @Test
  void readRefusesAMetricsFileWithoutAScalarMetric() throws Exception {
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {0.9, 0.5}, new double[] {0.8, 0.7, 0.6, 0.4}, MetricOptions.defaults());
    EvaluationReport.write(dir, List.of(new SystemResult("sys", m)), "test");
    Path json = dir.resolve("metrics.json");
    Files.writeString(json, Files.readString(json).replaceFirst("\"eer_threshold\" : [^,]+,", ""));
    assertThatThrownBy(() -> EvaluationReport.read(dir, null))
        .isInstanceOf(UserInputException.class)
        .hasMessage(json + ": no 'eer_threshold' field: not a qmargin metrics.json");
  }
}
