package io.qmargin.eval.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.NormalDeviate;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeedPooledBootstrapTest {
  private static final MetricOptions EER_ONLY =
      MetricOptions.defaults().withFarTargets(List.of(0.1)).withPTargets(List.of(0.01));

  // subjects 0..2; trials (enroll, test, label), as in PairedBootstrapTest
  private static final int[] ENROLL = {0, 1, 0, 1, 2, 0};
  private static final int[] TEST = {0, 1, 1, 2, 2, 2};
  private static final boolean[] TARGET = {true, true, false, false, true, false};

  private static PairedTrials seed(double[] a, double[] b) {
    return new PairedTrials(
        ENROLL, TEST, TARGET, 3, new String[] {"a", "b"}, new double[][] {a, b});
  }

  @Test
  void oneSeedGivesPairedBootstrapsIntervals() {
    PairedTrials t =
        seed(
            new double[] {0.9, 0.4, 0.5, 0.1, 0.7, 0.3},
            new double[] {0.8, 0.6, 0.2, 0.3, 0.9, 0.1});
    PairedBootstrap.Settings s =
        new PairedBootstrap.Settings(200, 0.9, 7, PairedBootstrap.Unit.SUBJECTS);
    assertThat(new SeedPooledBootstrap(List.of(t), MetricOptions.defaults()).run(s))
        .isEqualTo(new PairedBootstrap(t, MetricOptions.defaults()).run(s));
  }

  @Test
  void thePooledDifferenceIsTheMeanOfThePerSeedDifferences() {
    // seed 1: a separates the labels (EER 0), b misorders 0.4 < 0.5 (targets 0.8 0.4 0.7, impostors
    // 0.5 0.3 0.1): EER 1/3 by hand (one of three targets below one of three impostors, the
    // crossing at P_miss = P_fa = 1/3). Seed 2: both separate them.
    double[] separate = {0.9, 0.8, 0.2, 0.1, 0.7, 0.3};
    double[] oneSwap = {0.8, 0.4, 0.5, 0.1, 0.7, 0.3};
    VerificationMetrics b1 =
        VerificationMetrics.compute(
            new double[] {0.8, 0.4, 0.7}, new double[] {0.5, 0.1, 0.3}, EER_ONLY);
    assertThat(b1.eer()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
    SeedPooledBootstrap p =
        new SeedPooledBootstrap(
            List.of(seed(separate, oneSwap), seed(separate, separate.clone())), EER_ONLY);
    Difference eer =
        p.run(new PairedBootstrap.Settings(20, 0.95, 1, PairedBootstrap.Unit.SUBJECTS)).stream()
            .filter(d -> d.metric().equals("EER"))
            .findFirst()
            .orElseThrow();
    assertThat(eer.valueA()).isZero();
    assertThat(eer.valueB()).isEqualTo(b1.eer() / 2);
    assertThat(eer.difference()).isEqualTo(b1.eer() / 2);
    double[][][] v = p.values();
    assertThat(v[0][1][p.metricNames().indexOf("EER")]).isEqualTo(b1.eer());
    assertThat(v[1][1][p.metricNames().indexOf("EER")]).isZero();
  }

  @Test
  void seedsMustScoreTheSameTrials() {
    double[] s = {0.9, 0.4, 0.5, 0.1, 0.7, 0.3};
    PairedTrials other =
        new PairedTrials(
            ENROLL,
            new int[] {0, 1, 2, 2, 2, 2},
            TARGET,
            3,
            new String[] {"a", "b"},
            new double[][] {s, s});
    assertThatThrownBy(
            () -> new SeedPooledBootstrap(List.of(seed(s, s), other), MetricOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same trials");
  }

  /**
   * Coverage on synthetic per-seed systems with a known expected EER difference. As in
   * PairedBootstrapTest, subject i has an effect per system (a_i, b_i ~ N(0, tau^2), the same for
   * every seed: a hard person stays hard), target scores m_X + d_Xk + effect + N(0, sigma^2) and
   * impostor scores N(0, 1) with subject effects; the seed k adds d_Xk ~ N(0, omega^2) to system
   * X's target mean (training luck). For one seed effect d the population EER is Phi(-(m + d) / (s
   * + 1)), s = sqrt(tau^2 + sigma^2); over seeds its mean is Phi(-m / sqrt((s + 1)^2 + omega^2)).
   * Resampling subjects and seeds covers the expected difference at about 95%; keeping the seeds
   * fixed ignores the training luck and under-covers.
   */
  @Test
  void resamplingSubjectsAndSeedsCoversTheExpectedEerDifference() {
    double mA = 2.0;
    double mB = 2.3;
    double tau = 0.7;
    double sigma = 0.5;
    double kappa = 0.4;
    double omega = 0.6;
    int seeds = 5;
    int subjects = 30;
    int targetsPerSubject = 5;
    int impostorsPerSubject = 10;
    int repetitions = 60;
    int replicates = 100;
    double sd = Math.sqrt(tau * tau + sigma * sigma) + 1;
    double spread = Math.sqrt(sd * sd + omega * omega);
    double truth = phi(-mB / spread) - phi(-mA / spread);
    Random rnd = new Random(20261205);
    int coveredPooled = 0;
    int coveredFixedSeeds = 0;
    for (int rep = 0; rep < repetitions; rep++) {
      int n = subjects * (targetsPerSubject + impostorsPerSubject);
      int[] e = new int[n];
      int[] t = new int[n];
      boolean[] lab = new boolean[n];
      double[] ea = new double[subjects];
      double[] eb = new double[subjects];
      double[] ha = new double[subjects];
      double[] hb = new double[subjects];
      for (int s = 0; s < subjects; s++) {
        ea[s] = tau * rnd.nextGaussian();
        eb[s] = tau * rnd.nextGaussian();
        ha[s] = kappa * rnd.nextGaussian();
        hb[s] = kappa * rnd.nextGaussian();
      }
      int k = 0;
      for (int s = 0; s < subjects; s++) {
        for (int j = 0; j < targetsPerSubject; j++, k++) {
          e[k] = s;
          t[k] = s;
          lab[k] = true;
        }
        for (int j = 1; j <= impostorsPerSubject; j++, k++) {
          e[k] = s;
          t[k] = (s + j) % subjects;
        }
      }
      double noise = Math.sqrt(1 - 2 * kappa * kappa);
      List<PairedTrials> perSeed = new ArrayList<>();
      for (int seed = 0; seed < seeds; seed++) {
        double da = omega * rnd.nextGaussian();
        double db = omega * rnd.nextGaussian();
        double[] sa = new double[n];
        double[] sb = new double[n];
        for (int i = 0; i < n; i++) {
          if (lab[i]) {
            sa[i] = mA + da + ea[e[i]] + sigma * rnd.nextGaussian();
            sb[i] = mB + db + eb[e[i]] + sigma * rnd.nextGaussian();
          } else {
            sa[i] = ha[e[i]] + ha[t[i]] + noise * rnd.nextGaussian();
            sb[i] = hb[e[i]] + hb[t[i]] + noise * rnd.nextGaussian();
          }
        }
        perSeed.add(
            new PairedTrials(
                e, t, lab, subjects, new String[] {"A", "B"}, new double[][] {sa, sb}));
      }
      SeedPooledBootstrap boot = new SeedPooledBootstrap(perSeed, EER_ONLY);
      PairedBootstrap.Settings settings =
          new PairedBootstrap.Settings(
              replicates, 0.95, rnd.nextLong(), PairedBootstrap.Unit.SUBJECTS);
      if (covers(boot.run(settings, true), truth)) {
        coveredPooled++;
      }
      if (covers(boot.run(settings, false), truth)) {
        coveredFixedSeeds++;
      }
    }
    double pooled = (double) coveredPooled / repetitions;
    double fixedSeeds = (double) coveredFixedSeeds / repetitions;
    assertThat(pooled).isBetween(0.87, 0.995);
    assertThat(fixedSeeds).isLessThan(pooled - 0.1);
  }

  private static boolean covers(List<Difference> diffs, double truth) {
    Difference eer = diffs.stream().filter(d -> d.metric().equals("EER")).findFirst().orElseThrow();
    return eer.low() <= truth && truth <= eer.high();
  }

  /** Standard normal CDF, by inverting the project's probit with bisection. */
  private static double phi(double x) {
    double lo = 1e-12;
    double hi = 1 - 1e-12;
    for (int i = 0; i < 100; i++) {
      double mid = (lo + hi) / 2;
      if (NormalDeviate.probit(mid) < x) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }
}
