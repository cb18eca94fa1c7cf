package io.qmargin.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationTest {

  private static VerificationMetrics metrics(double[] genuine, double[] impostor, double far) {
    return VerificationMetrics.compute(
        genuine, impostor, MetricOptions.defaults().withFarTargets(List.of(far)));
  }

  @Test
  void handComputedThresholdIsTheLowestWithAtMostTheAllowedFalseAccepts() {
    double[] genuine = {0.9, 0.8, 0.7, 0.4};
    double[] impostor = {0.85, 0.6, 0.5, 0.3, 0.2, 0.1, 0.0, -0.1, -0.2, -0.3};
    // FAR 0.1 of 10 impostors allows 1 false accept: thresholds down to 0.7 accept only 0.85;
    // 0.6 would accept two. At 0.7: genuine 0.9, 0.8, 0.7 accepted, TAR 3/4.
    OperatingPoint op = Calibration.at(metrics(genuine, impostor, 0.1), 0.1, "m1", "scores.txt");
    assertThat(op.threshold()).isEqualTo(0.7);
    assertThat(op.tar()).isEqualTo(0.75);
    assertThat(op.far()).isEqualTo(0.1);
    assertThat(op.impostors()).isEqualTo(10);
    assertThat(op.genuines()).isEqualTo(4);
    assertThat(op.modelId()).isEqualTo("m1");
    // Clopper-Pearson 95% for 3 of 4 (published tables): [0.1941, 0.9937]
    assertThat(op.tarLow()).isCloseTo(0.19412, within(1e-4));
    assertThat(op.tarHigh()).isCloseTo(0.99369, within(1e-4));
  }

  @Test
  void aFarTheImpostorsCannotResolveIsRefusedWithTheCountItNeeds() {
    double[] genuine = {0.9, 0.8};
    double[] impostor = new double[10];
    Arrays.fill(impostor, 0.1);
    assertThatThrownBy(() -> Calibration.at(metrics(genuine, impostor, 0.05), 0.05, null, "s.txt"))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "s.txt: FAR 0.05 cannot be resolved by 10 impostor scores: it needs at least 20"
                + " (1/FAR)");
  }

  @Test
  void aFarThatWasNotEvaluatedIsRefusedSayingWhichWere() {
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {1, 2},
            new double[] {0, 1},
            MetricOptions.defaults().withFarTargets(List.of(0.1, 0.5)));
    assertThatThrownBy(() -> Calibration.at(m, 1e-3, null, "evaldir"))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "evaldir: has no TAR@FAR at FAR 0.001 (it has 0.1, 0.5); evaluate it again with --far"
                + " 0.001, or calibrate on its score file (--scores)");
  }

  @Test
  void onRandomScoresTheThresholdKeepsTheFarAndNoLowerThresholdDoes() {
    Random rnd = new Random(17);
    for (int round = 0; round < 20; round++) {
      int g = 50 + rnd.nextInt(500);
      int n = 1000 + rnd.nextInt(20_000);
      double[] genuine = new double[g];
      double[] impostor = new double[n];
      for (int i = 0; i < g; i++) {
        genuine[i] = Math.round((1 + rnd.nextGaussian()) * 100) / 100.0; // ties included
      }
      for (int i = 0; i < n; i++) {
        impostor[i] = Math.round(rnd.nextGaussian() * 100) / 100.0;
      }
      double far = List.of(1e-3, 2e-3, 1e-2, 0.05).get(rnd.nextInt(4));
      OperatingPoint op = Calibration.at(metrics(genuine, impostor, far), far, null, "r");
      long allowed = (long) Math.floor(far * n + 1e-9);
      long fa = Arrays.stream(impostor).filter(s -> s >= op.threshold()).count();
      long ta = Arrays.stream(genuine).filter(s -> s >= op.threshold()).count();
      assertThat(fa).isLessThanOrEqualTo(allowed);
      assertThat(op.far()).isEqualTo((double) fa / n).isLessThanOrEqualTo(far);
      assertThat(op.tar()).isEqualTo((double) ta / g);
      // the next lower score as threshold would accept more impostors than allowed, so no
      // threshold with FAR <= target accepts more genuine scores
      double next =
          DoubleStream.concat(Arrays.stream(genuine), Arrays.stream(impostor))
              .filter(s -> s < op.threshold())
              .max()
              .orElse(Double.NEGATIVE_INFINITY);
      if (next > Double.NEGATIVE_INFINITY) {
        long faNext = Arrays.stream(impostor).filter(s -> s >= next).count();
        long taNext = Arrays.stream(genuine).filter(s -> s >= next).count();
        assertThat(faNext > allowed || taNext == ta)
            .as("round %d: threshold %s could go down to %s", round, op.threshold(), next)
            .isTrue();
        assertThat(faNext).isGreaterThan(allowed);
      }
    }
  }

  @Test
  void theFileRoundTrips(@TempDir Path dir) throws Exception {
    OperatingPoint op =
        new OperatingPoint("abc", 1e-4, 0.4321, 9e-5, 0.93, 0.91, 0.95, 100_000, 3000, "eval/x");
    Path f = dir.resolve("op.json");
    OperatingPointFile.write(f, op);
    assertThat(OperatingPointFile.read(f)).isEqualTo(op);
    OperatingPoint anonymous =
        new OperatingPoint(null, 0.1, -0.5, 0.1, 1, 0.5, 1, 10, 4, "scores.txt");
    OperatingPointFile.write(f, anonymous);
    assertThat(OperatingPointFile.read(f)).isEqualTo(anonymous);
    Files.writeString(f, "{\"threshold\": \"high\"}");
    assertThatThrownBy(() -> OperatingPointFile.read(f))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("'tar_ci' must be [low, high]");
  }
}
