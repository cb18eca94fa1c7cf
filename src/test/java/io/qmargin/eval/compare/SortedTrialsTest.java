package io.qmargin.eval.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SortedTrialsTest {

  @Test
  void ordersByDecreasingScoreTiesByIndexAndZeroWithMinusZero() {
    assertThat(SortedTrials.descending(new double[] {0.5, 0.9, -0.0, 0.5, 0.0, -1}))
        .containsExactly(1, 0, 3, 2, 4, 5);
  }

  @Test
  void runsOfNonTargetOnlyScoresBecomeOneGroupTargetScoresStayApart() {
    // descending: 0.9 t | 0.8 n, 0.7 n | 0.6 t+n (tie) | 0.5 n | 0.4 t | 0.3 t
    double[] s = {0.5, 0.9, 0.7, 0.6, 0.8, 0.6, 0.4, 0.3};
    boolean[] t = {false, true, false, true, false, false, true, true};
    int[] subj = new int[s.length];
    PairedTrials trials =
        new PairedTrials(subj, subj, t, 1, new String[] {"a", "b"}, new double[][] {s, s});
    SortedTrials st = SortedTrials.of(trials, 0);
    assertThat(st.groupScore()).containsExactly(0.9, 0.8, 0.6, 0.5, 0.4, 0.3);
    assertThat(st.groupStart()).containsExactly(0, 1, 3, 5, 6, 7, 8);
  }

  /**
   * Random weights on scores with many ties and long non-target runs: the grouped sweep gives the
   * strict TAR@FAR, EER, minDCF and AUC of the score list where trial i appears w[i] times.
   */
  @Test
  void groupedWeightedMetricsEqualThoseOfTheExpandedScoreList() {
    Random rnd = new Random(5);
    MetricOptions options =
        MetricOptions.defaults()
            .withFarTargets(List.of(0.01, 0.05, 0.2))
            .withPTargets(List.of(0.01, 0.1));
    for (int rep = 0; rep < 30; rep++) {
      int n = 400;
      boolean[] target = new boolean[n];
      double[] score = new double[n];
      int[] subj = new int[n];
      for (int i = 0; i < n; i++) {
        target[i] = rnd.nextInt(10) == 0;
        score[i] = Math.round((rnd.nextGaussian() + (target[i] ? 1.5 : 0)) * 20) / 20.0;
      }
      target[0] = true;
      target[1] = false;
      PairedBootstrap b =
          new PairedBootstrap(
              new PairedTrials(
                  subj, subj, target, 1, new String[] {"a", "b"}, new double[][] {score, score}),
              options);
      long[] w = new long[n];
      List<Double> tg = new ArrayList<>();
      List<Double> nt = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        w[i] = i < 2 ? 1 + rnd.nextInt(2) : rnd.nextInt(3);
        for (int k = 0; k < w[i]; k++) {
          (target[i] ? tg : nt).add(score[i]);
        }
      }
      VerificationMetrics ref =
          VerificationMetrics.compute(
              tg.stream().mapToDouble(Double::doubleValue).toArray(),
              nt.stream().mapToDouble(Double::doubleValue).toArray(),
              options);
      VerificationMetrics m = b.weightedMetrics(0, w);
      for (double far : options.farTargets()) {
        assertThat(m.tarAtFar(far).tar()).isEqualTo(ref.tarAtFar(far).tar());
      }
      assertThat(m.eer()).isEqualTo(ref.eer());
      assertThat(m.minDcf(0.01)).isEqualTo(ref.minDcf(0.01));
      assertThat(m.minDcf(0.1)).isEqualTo(ref.minDcf(0.1));
      assertThat(m.auc()).isEqualTo(ref.auc());
    }
  }
}
