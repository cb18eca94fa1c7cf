package io.qmargin.eval.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.NormalDeviate;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

  // subjects 0..2; trials (enroll, test, label)
  private static final int[] ENROLL = {0, 1, 0, 1, 2, 0};
  private static final int[] TEST = {0, 1, 1, 2, 2, 2};
  private static final boolean[] TARGET = {true, true, false, false, true, false};
  private static final double[] SCORES_A = {0.9, 0.4, 0.5, 0.1, 0.7, 0.3};
  private static final double[] SCORES_B = {0.8, 0.6, 0.2, 0.3, 0.9, 0.1};

  private static PairedBootstrap small() {
    return new PairedBootstrap(
        new PairedTrials(
            ENROLL, TEST, TARGET, 3, new String[] {"a", "b"}, new double[][] {SCORES_A, SCORES_B}),
        MetricOptions.defaults());
  }

  @Test
  void trialWeightIsProductOfSubjectCountsAcrossSubjectsAndTheCountWithinOne() {
    // draw: subject 0 twice, subject 2 once, subject 1 never; trials (0,0) (1,1) (0,1) (1,2)
    // (2,2) (0,2): within-subject trials count once per copy, cross-subject ones c_e * c_t
    long[] w = small().weights(new long[] {2, 0, 1});
    assertThat(w).containsExactly(2, 0, 0, 0, 1, 2);
  }

  @Test
  void weightedMetricsEqualMetricsOfTrialsRepeatedByTheirWeight() {
    long[] w = {4, 0, 0, 0, 1, 2};
    // by hand: targets 0.9 x4, 0.7 x1; non-targets 0.3 x2 -> every target above every impostor
    VerificationMetrics m = small().weightedMetrics(0, w);
    assertThat(m.targets()).isEqualTo(5);
    assertThat(m.nontargets()).isEqualTo(2);
    assertThat(m.eer()).isEqualTo(0.0);
    // system b: targets 0.8 x4, 0.9 x1; non-target 0.1 x2
    double[] tg = {0.8, 0.8, 0.8, 0.8, 0.9};
    VerificationMetrics ref =
        VerificationMetrics.compute(tg, new double[] {0.1, 0.1}, MetricOptions.defaults());
    VerificationMetrics mb = small().weightedMetrics(1, w);
    assertThat(mb.eer()).isEqualTo(ref.eer());
    assertThat(mb.minDcf(0.01).value()).isEqualTo(ref.minDcf(0.01).value());
  }

  @Test
  void weightedMetricsMatchTheExpandedScoreListOnTies() {
    // weights with ties across labels: a (0.5 non-target) vs (0.4 target) ...
    long[] w = {1, 3, 2, 1, 0, 1};
    List<Double> tg = new ArrayList<>();
    List<Double> nt = new ArrayList<>();
    for (int i = 0; i < w.length; i++) {
      for (int k = 0; k < w[i]; k++) {
        (TARGET[i] ? tg : nt).add(SCORES_A[i]);
      }
    }
    VerificationMetrics ref =
        VerificationMetrics.compute(
            tg.stream().mapToDouble(Double::doubleValue).toArray(),
            nt.stream().mapToDouble(Double::doubleValue).toArray(),
            MetricOptions.defaults());
    VerificationMetrics m = small().weightedMetrics(0, w);
    assertThat(m.eer()).isEqualTo(ref.eer());
    assertThat(m.tarAtFar(0.25)).isNull(); // not a default target: same list as the reference
    assertThat(m.minDcf(0.01)).isEqualTo(ref.minDcf(0.01));
    assertThat(m.auc()).isEqualTo(ref.auc());
  }

  @Test
  void intervalIsPercentileAndPValueCountsTheOtherSideOfZero() {
    // observed difference 2; replicate differences -1, 1, 2, 3: one on the other side of 0
    Difference d =
        PairedBootstrap.difference("a", "b", "EER", 1, 3, new double[] {3, -1, 2, 1}, 0.5);
    assertThat(d.difference()).isEqualTo(2.0);
    assertThat(d.pValue()).isEqualTo(0.5);
    // type-7 quantiles of (-1, 1, 2, 3) at 0.25 and 0.75: -1 + 0.75 * 2 = 0.5 and 2 + 0.25 * 1
    assertThat(d.low()).isEqualTo(0.5);
    assertThat(d.high()).isEqualTo(2.25);
    assertThat(d.significant()).isTrue();
  }

  @Test
  void identicalSystemsDifferByZeroAndAreNotSignificant() {
    PairedBootstrap b =
        new PairedBootstrap(
            new PairedTrials(
                ENROLL,
                TEST,
                TARGET,
                3,
                new String[] {"a", "a2"},
                new double[][] {SCORES_A, SCORES_A.clone()}),
            MetricOptions.defaults());
    for (Difference d :
        b.run(new PairedBootstrap.Settings(50, 0.95, 1, PairedBootstrap.Unit.SUBJECTS))) {
      if (d.resolved()) {
        assertThat(d.difference()).isZero();
        assertThat(d.low()).isZero();
        assertThat(d.high()).isZero();
        assertThat(d.pValue()).isEqualTo(1.0);
        assertThat(d.significant()).isFalse();
      } else {
        // 3 non-targets cannot resolve FAR targets below 1/3
        assertThat(d.metric()).startsWith("TAR@FAR=");
      }
    }
  }

  /**
   * Coverage on synthetic systems with a known population EER difference. Subject i has a subject
   * effect per system (a_i for A, b_i for B, independent N(0, tau^2)); its target scores are m_X +
   * effect + N(0, sigma^2), non-target scores N(0, 1). Over random subjects the target scores are
   * N(m_X, tau^2 + sigma^2), so the population EER is Phi(-m_X / (sqrt(tau^2 + sigma^2) + 1))
   * (threshold where the two tails are equal). The subject bootstrap must cover the EER difference
   * at about 95%; the trial bootstrap, blind to the subject effects, under-covers.
   */
  @Test
  void subjectBootstrapCoversTheTrueEerDifferenceAndTrialBootstrapDoesNot() {
    double mA = 2.0;
    double mB = 2.5;
    double tau = 1.0;
    double sigma = 0.5;
    double kappa = 0.5;
    double sd = Math.sqrt(tau * tau + sigma * sigma) + 1;
    double truth = phi(-mB / sd) - phi(-mA / sd);
    int subjects = 40;
    int targetsPerSubject = 5;
    int impostorsPerSubject = 10;
    int repetitions = 150;
    int replicates = 300;
    MetricOptions options =
        MetricOptions.defaults().withFarTargets(List.of(0.1)).withPTargets(List.of(0.01));
    Random rnd = new Random(20261205);
    int coveredSubjects = 0;
    int coveredTrials = 0;
    for (int rep = 0; rep < repetitions; rep++) {
      int n = subjects * (targetsPerSubject + impostorsPerSubject);
      int[] e = new int[n];
      int[] t = new int[n];
      boolean[] lab = new boolean[n];
      double[] sa = new double[n];
      double[] sb = new double[n];
      // impostor subject effects: h_i + h_j + N(0, 1 - 2 kappa^2) keeps impostors N(0, 1)
      double[] ha = new double[subjects];
      double[] hb = new double[subjects];
      for (int s = 0; s < subjects; s++) {
        ha[s] = kappa * rnd.nextGaussian();
        hb[s] = kappa * rnd.nextGaussian();
      }
      double noise = Math.sqrt(1 - 2 * kappa * kappa);
      int k = 0;
      for (int s = 0; s < subjects; s++) {
        double a = tau * rnd.nextGaussian();
        double b = tau * rnd.nextGaussian();
        for (int j = 0; j < targetsPerSubject; j++, k++) {
          e[k] = s;
          t[k] = s;
          lab[k] = true;
          sa[k] = mA + a + sigma * rnd.nextGaussian();
          sb[k] = mB + b + sigma * rnd.nextGaussian();
        }
        for (int j = 1; j <= impostorsPerSubject; j++, k++) {
          e[k] = s;
          t[k] = (s + j) % subjects;
          sa[k] = ha[s] + ha[t[k]] + noise * rnd.nextGaussian();
          sb[k] = hb[s] + hb[t[k]] + noise * rnd.nextGaussian();
        }
      }
      PairedBootstrap boot =
          new PairedBootstrap(
              new PairedTrials(
                  e, t, lab, subjects, new String[] {"A", "B"}, new double[][] {sa, sb}),
              options);
      long seed = rnd.nextLong();
      if (covers(boot, PairedBootstrap.Unit.SUBJECTS, replicates, seed, truth)) {
        coveredSubjects++;
      }
      if (covers(boot, PairedBootstrap.Unit.TRIALS, replicates, seed, truth)) {
        coveredTrials++;
      }
    }
    double subjectCoverage = (double) coveredSubjects / repetitions;
    double trialCoverage = (double) coveredTrials / repetitions;
    assertThat(subjectCoverage).isBetween(0.88, 0.99);
    assertThat(trialCoverage).isLessThan(0.85);
  }

  private static boolean covers(
      PairedBootstrap boot, PairedBootstrap.Unit unit, int replicates, long seed, double truth) {
    Difference eer =
        boot.run(new PairedBootstrap.Settings(replicates, 0.95, seed, unit)).stream()
            .filter(d -> d.metric().equals("EER"))
            .findFirst()
            .orElseThrow();
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
