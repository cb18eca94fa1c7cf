package io.qmargin.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerificationMetricsTest {

  private static final double EPS = 1e-12;

  private static MetricOptions opts(List<Double> fars, List<Double> ps) {
    return new MetricOptions(fars, ps, 1, 1, 0.95, 0);
  }

  /*
   * Hand-computed case with a tie between a target and a non-target at 0.6.
   * targets T = {0.8, 0.6, 0.6, 0.3} (4), non-targets N = {0.7, 0.6, 0.2, 0.1, 0.0} (5).
   * Operating points (threshold: true accepts, false accepts) -> (P_miss, P_fa):
   *   none : 0,0 -> (1, 0)      0.8: 1,0 -> (.75, 0)    0.7: 1,1 -> (.75, .2)
   *   0.6  : 3,2 -> (.25, .4)   0.3: 4,2 -> (0, .4)     0.2: 4,3   0.1: 4,4   0.0: 4,5 -> (0, 1)
   * EER: P_miss - P_fa goes from .55 (at 0.7) to -.15 (at 0.6); lambda = .55/.70 = 11/14,
   *   EER = .75 + 11/14 * (.25 - .75) = 5/14; the closer point is 0.6 (|-.15| < .55).
   * ROCCH: upper hull of (fa, ta) = (0,0),(0,1),(2,4),(5,4): in (P_fa, P_miss) the edge
   *   (0, .75) -> (.4, 0) crosses the diagonal at .75/(1 + .75/.4) = 6/23.
   * AUC: target 0.8 beats 5; each 0.6 beats 3 and ties 1 (3.5); 0.3 beats 3: 15/20 = .75.
   * minDCF P=0.5: normalised cost = P_miss + P_fa, minimum .4 at threshold 0.3.
   * minDCF P=0.01: normalised cost = P_miss + 99 P_fa, minimum .75 at threshold 0.8.
   */
  private static final double[] T = {0.8, 0.6, 0.6, 0.3};
  private static final double[] N = {0.7, 0.6, 0.2, 0.1, 0.0};

  @Test
  void handComputedCase() {
    VerificationMetrics m =
        VerificationMetrics.compute(
            T, N, opts(List.of(0.1, 0.2, 0.25, 0.3, 0.4), List.of(0.5, 0.01)));
    assertThat(m.targets()).isEqualTo(4);
    assertThat(m.nontargets()).isEqualTo(5);
    assertThat(m.eer()).isCloseTo(5.0 / 14, within(EPS));
    assertThat(m.eerThreshold()).isEqualTo(0.6);
    assertThat(m.eerRocch()).isCloseTo(6.0 / 23, within(EPS));
    assertThat(m.auc()).isCloseTo(0.75, within(EPS));
    assertThat(m.minDcf(0.5).value()).isCloseTo(0.4, within(EPS));
    assertThat(m.minDcf(0.5).threshold()).isEqualTo(0.3);
    assertThat(m.minDcf(0.01).value()).isCloseTo(0.75, within(EPS));
    assertThat(m.minDcf(0.01).threshold()).isEqualTo(0.8);

    // strict: FAR 0.1 allows 0 false accepts -> point 0.8 (TAR .25)
    TarAtFar s01 = m.tarAtFar(0.1);
    assertThat(s01.tar()).isEqualTo(0.25);
    assertThat(s01.threshold()).isEqualTo(0.8);
    assertThat(s01.falseAccepts()).isZero();
    // FAR 0.2, 0.25, 0.3 allow 1 -> point 0.7 (TAR .25, 1 impostor at or above)
    for (double f : List.of(0.2, 0.25, 0.3)) {
      assertThat(m.tarAtFar(f).tar()).isEqualTo(0.25);
      assertThat(m.tarAtFar(f).threshold()).isEqualTo(0.7);
      assertThat(m.tarAtFar(f).falseAccepts()).isEqualTo(1);
    }
    // FAR 0.4 allows 2 -> the last point with 2 false accepts is 0.3 (TAR 1)
    assertThat(m.tarAtFar(0.4).tar()).isEqualTo(1.0);
    assertThat(m.tarAtFar(0.4).threshold()).isEqualTo(0.3);

    // nearest (insightface's rule, see SklearnRocNearestTest): 0.1 is equally far from FAR 0 and
    // 0.2, also in doubles: the later point wins, i.e. the FAR 0.2 point
    assertThat(m.tarAtFarNearest(0.1).far()).isEqualTo(0.2);
    assertThat(m.tarAtFarNearest(0.1).threshold()).isEqualTo(0.7);
    // 0.4: FAR .4 at 0.6 and 0.3; the later, highest TAR (threshold 0.3)
    assertThat(m.tarAtFarNearest(0.4).tar()).isEqualTo(1.0);
    assertThat(m.tarAtFarNearest(0.4).threshold()).isEqualTo(0.3);
    // 0.25: FAR .2 is nearer
    assertThat(m.tarAtFarNearest(0.25).far()).isEqualTo(0.2);
    assertThat(m.tarAtFarNearest(0.25).tar()).isEqualTo(0.25);

    // Clopper-Pearson for 1 of 4: lower end solves 1 - (1-p)^4 = 0.025
    assertThat(s01.tarLow()).isCloseTo(1 - Math.pow(0.975, 0.25), within(1e-9));
    assertThat(s01.tarHigh()).isGreaterThan(0.25);

    RocCurve roc = m.roc();
    assertThat(roc.thresholds())
        .containsExactly(Math.nextUp(0.8), 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.0);
    assertThat(roc.trueAccepts()).containsExactly(0, 1, 1, 3, 4, 4, 4, 4);
    assertThat(roc.falseAccepts()).containsExactly(0, 0, 1, 2, 2, 3, 4, 5);
    DetCurve det = m.det();
    assertThat(det.pMiss()[3]).isEqualTo(0.25);
    assertThat(det.pFa()[3]).isEqualTo(0.4);
  }

  @Test
  void inputsAreNotModifiedAndOrderDoesNotMatter() {
    double[] t = {0.3, 0.6, 0.8, 0.6};
    double[] n = {0.0, 0.2, 0.7, 0.1, 0.6};
    double[] tc = t.clone();
    VerificationMetrics a = VerificationMetrics.compute(t, n, MetricOptions.defaults());
    VerificationMetrics b = VerificationMetrics.compute(T, N, MetricOptions.defaults());
    assertThat(t).containsExactly(tc);
    assertThat(a.eer()).isEqualTo(b.eer());
    assertThat(a.tarAtFar()).isEqualTo(b.tarAtFar());
  }

  @Test
  void perfectSeparation() {
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {2, 3},
            new double[] {0, 1},
            opts(MetricOptions.DEFAULT_FAR_TARGETS, List.of(0.01)));
    assertThat(m.eer()).isZero();
    assertThat(m.eerRocch()).isZero();
    assertThat(m.auc()).isEqualTo(1.0);
    assertThat(m.minDcf(0.01).value()).isZero();
    for (TarAtFar t : m.tarAtFar()) {
      assertThat(t.tar()).isEqualTo(1.0);
      assertThat(t.falseAccepts()).isZero();
      assertThat(t.threshold()).isEqualTo(2.0);
    }
    // EER threshold: the crossing is reached exactly at threshold 2 (P_miss = P_fa = 0)
    assertThat(m.eerThreshold()).isEqualTo(2.0);
  }

  @Test
  void allScoresEqual() {
    // One operating point besides "accept nothing": (P_miss, P_fa) goes from (1, 0) to (0, 1).
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {1, 1, 1},
            new double[] {1, 1},
            opts(List.of(0.5, 1.0), List.of(0.01, 0.3)));
    assertThat(m.eer()).isEqualTo(0.5);
    assertThat(m.eerRocch()).isEqualTo(0.5);
    assertThat(m.auc()).isEqualTo(0.5);
    assertThat(m.tarAtFar(0.5).tar()).isZero();
    assertThat(m.tarAtFar(0.5).threshold()).isEqualTo(Math.nextUp(1.0));
    assertThat(m.tarAtFar(1.0).tar()).isEqualTo(1.0);
    // both extremes cost the default cost: normalised minDCF is 1
    assertThat(m.minDcf(0.01).value()).isEqualTo(1.0);
    assertThat(m.minDcf(0.3).value()).isCloseTo(1.0, within(EPS));
    assertThat(m.roc().size()).isEqualTo(2);
  }

  @Test
  void reversedScores() {
    // every target below every non-target: the step EER is 1, the hull EER 0.5, AUC 0
    VerificationMetrics m =
        VerificationMetrics.compute(new double[] {0}, new double[] {1}, MetricOptions.defaults());
    assertThat(m.eer()).isEqualTo(1.0);
    assertThat(m.eerRocch()).isEqualTo(0.5);
    assertThat(m.auc()).isZero();
  }

  @Test
  void negativeZeroTiesWithZero() {
    VerificationMetrics m =
        VerificationMetrics.compute(
            new double[] {-0.0}, new double[] {0.0}, MetricOptions.defaults());
    assertThat(m.auc()).isEqualTo(0.5);
    assertThat(m.roc().size()).isEqualTo(2);
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(
            () ->
                VerificationMetrics.compute(
                    new double[] {}, new double[] {1}, MetricOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no target");
    assertThatThrownBy(
            () ->
                VerificationMetrics.compute(
                    new double[] {1}, new double[] {}, MetricOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no non-target");
    assertThatThrownBy(
            () ->
                VerificationMetrics.compute(
                    new double[] {Double.NaN}, new double[] {1}, MetricOptions.defaults()))
        .hasMessageContaining("not a finite number");
    assertThatThrownBy(
            () ->
                VerificationMetrics.compute(
                    new double[] {1},
                    new double[] {Double.NEGATIVE_INFINITY},
                    MetricOptions.defaults()))
        .hasMessageContaining("not a finite number");
    assertThatThrownBy(() -> MetricOptions.defaults().withFarTargets(List.of(0.0)))
        .hasMessageContaining("not in (0, 1]");
    assertThatThrownBy(() -> MetricOptions.defaults().withPTargets(List.of(1.0)))
        .hasMessageContaining("not in (0, 1)");
  }

  /** Everything against brute force, on random small sets with many ties. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void agreesWithBruteForce(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int nt = 1 + r.nextInt(30);
    int nn = 1 + r.nextInt(60);
    int levels = 2 + r.nextInt(12); // few distinct values: many ties
    double[] t = new double[nt];
    double[] n = new double[nn];
    for (int i = 0; i < nt; i++) {
      t[i] = (r.nextInt(levels) + 2 * r.nextDouble() * (seed % 2)) / 4.0 + 0.5;
    }
    for (int i = 0; i < nn; i++) {
      n[i] = (r.nextInt(levels) + 2 * r.nextDouble() * (seed % 2)) / 4.0;
    }
    List<Double> fars = List.of(0.01, 0.05, 0.1, 0.2, 0.3333, 0.5, 1.0);
    List<Double> ps = List.of(0.01, 0.1, 0.5, 0.9);
    MetricOptions o = new MetricOptions(fars, ps, 2, 1, 0.95, 0);
    VerificationMetrics m = VerificationMetrics.compute(t, n, o);

    // operating points: every distinct score, plus +inf (accept nothing)
    double[] thr =
        java.util.stream.DoubleStream.concat(Arrays.stream(t), Arrays.stream(n))
            .distinct()
            .sorted()
            .toArray();
    List<double[]> pts = new ArrayList<>(); // {threshold, tar, far}
    pts.add(new double[] {Double.POSITIVE_INFINITY, 0, 0});
    for (int k = thr.length - 1; k >= 0; k--) {
      pts.add(
          new double[] {thr[k], count(t, thr[k]) / (double) nt, count(n, thr[k]) / (double) nn});
    }
    assertThat(m.roc().size()).isEqualTo(pts.size());

    for (double f : fars) {
      double best = -1;
      for (double[] p : pts) {
        if (p[2] <= f) {
          best = Math.max(best, p[1]);
        }
      }
      assertThat(m.tarAtFar(f).tar()).as("strict @%s", f).isEqualTo(best);
      assertThat(m.tarAtFar(f).far()).isLessThanOrEqualTo(f);
      // the reported counts agree with the reported threshold
      assertThat(m.tarAtFar(f).falseAccepts()).isEqualTo(count(n, m.tarAtFar(f).threshold()));
      assertThat(m.tarAtFar(f).trueAccepts()).isEqualTo(count(t, m.tarAtFar(f).threshold()));
    }

    // EER: the first segment where P_miss - P_fa changes sign, interpolated
    double eer = Double.NaN;
    for (int k = 1; k < pts.size(); k++) {
      double d0 = (1 - pts.get(k - 1)[1]) - pts.get(k - 1)[2];
      double d1 = (1 - pts.get(k)[1]) - pts.get(k)[2];
      if (d0 > 0 && d1 <= 0) {
        double a = d0 / (d0 - d1);
        eer = (1 - pts.get(k - 1)[1]) + a * ((1 - pts.get(k)[1]) - (1 - pts.get(k - 1)[1]));
        break;
      }
    }
    assertThat(m.eer()).isCloseTo(eer, within(1e-12));

    // ROCCH-EER: the lowest diagonal crossing over all chords between two operating points
    // (the hull edge gives the lowest one; every other chord lies above the hull).
    double rocch = Double.POSITIVE_INFINITY;
    for (double[] p : pts) {
      for (double[] q : pts) {
        double dp = (1 - p[1]) - p[2];
        double dq = (1 - q[1]) - q[2];
        if (dp >= 0 && dq <= 0 && dp - dq > 0) {
          double a = dp / (dp - dq);
          rocch = Math.min(rocch, (1 - p[1]) + a * ((1 - q[1]) - (1 - p[1])));
        } else if (dp == 0 && dq == 0) {
          rocch = Math.min(rocch, 1 - p[1]);
        }
      }
    }
    assertThat(m.eerRocch()).isCloseTo(rocch, within(1e-12));
    assertThat(m.eerRocch()).isLessThanOrEqualTo(m.eer() + 1e-15);

    for (double p : ps) {
      double min = Double.POSITIVE_INFINITY;
      for (double[] q : pts) {
        min = Math.min(min, 2 * p * (1 - q[1]) + 1 * (1 - p) * q[2]);
      }
      assertThat(m.minDcf(p).value()).isCloseTo(min / Math.min(2 * p, 1 - p), within(1e-12));
    }

    double wins = 0;
    for (double a : t) {
      for (double b : n) {
        wins += a > b ? 1 : a == b ? 0.5 : 0;
      }
    }
    assertThat(m.auc()).isCloseTo(wins / (nt * (double) nn), within(1e-15));
  }

  @Test
  void thinnedCurveKeepsExactPointsAndEnds() {
    SplittableRandom r = new SplittableRandom(7);
    double[] t = new double[2000];
    double[] n = new double[50000];
    for (int i = 0; i < t.length; i++) {
      t[i] = r.nextDouble() + 0.5;
    }
    for (int i = 0; i < n.length; i++) {
      n[i] = r.nextDouble();
    }
    VerificationMetrics full =
        VerificationMetrics.compute(t, n, MetricOptions.defaults().withCurveResolution(0));
    VerificationMetrics thin =
        VerificationMetrics.compute(t, n, MetricOptions.defaults().withCurveResolution(0.01));
    assertThat(thin.roc().size()).isLessThan(full.roc().size() / 5);
    assertThat(thin.eer()).isEqualTo(full.eer());
    RocCurve c = thin.roc();
    assertThat(c.trueAccepts()[0]).isZero();
    assertThat(c.falseAccepts()[c.size() - 1]).isEqualTo(n.length);
    assertThat(c.trueAccepts()[c.size() - 1]).isEqualTo(t.length);
    // below 1/resolution = 100 false accepts, every FAR keeps its highest-TAR point (the step
    // corners)
    RocCurve f = full.roc();
    for (int i = 0; i + 1 < f.size(); i++) {
      if (f.falseAccepts()[i] < 100 && f.falseAccepts()[i + 1] != f.falseAccepts()[i]) {
        boolean found = false;
        for (int j = 0; j < c.size(); j++) {
          found |=
              c.thresholds()[j] == f.thresholds()[i] && c.trueAccepts()[j] == f.trueAccepts()[i];
        }
        assertThat(found).as("corner at %s false accepts", f.falseAccepts()[i]).isTrue();
      }
    }
    // thresholds stay strictly decreasing
    for (int j = 1; j < c.size(); j++) {
      assertThat(c.thresholds()[j]).isLessThan(c.thresholds()[j - 1]);
    }
  }

  private static long count(double[] s, double thr) {
    long c = 0;
    for (double v : s) {
      c += v >= thr ? 1 : 0;
    }
    return c;
  }
}
