package io.qmargin.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The nearest TAR@FAR of {@link VerificationMetrics} against insightface's rule on scikit-learn's
 * ROC.
 */
class SklearnRocNearestTest {

  private static VerificationMetrics metrics(
      double[] targets, double[] nontargets, List<Double> fars) {
    return VerificationMetrics.compute(
        targets, nontargets, new MetricOptions(fars, List.of(0.01), 1, 1, 0.95, 0));
  }

  /*
   * Scores/labels 0.9 1, 0.8 0, 0.7 0, 0.6 0, 0.5 1, 0.4 0: 2 targets, 4 non-targets.
   * sklearn's points (fps, tps) at 0.9 .. 0.4: (0,1) (1,1) (2,1) (3,1) (3,2) (4,2); steps (dn, dt):
   * (0,1) (1,0) (1,0) (1,0) (0,1) (1,0). 0.8 and 0.7 sit inside a run of equal steps and are
   * dropped; with (0,0) in front the FARs are 0, 0, .75 (0.6), .75 (0.5), 1. For FAR 0.5 the
   * nearest is .75 (distance .25 against .5); of the two points there the later, TAR 2/2.
   * Every point kept, FAR .5 (threshold 0.7, TAR 1/2) would be exact.
   */
  @Test
  void smallestCaseDropsTheRunOfImpostors() {
    VerificationMetrics m =
        metrics(new double[] {0.9, 0.5}, new double[] {0.8, 0.7, 0.6, 0.4}, List.of(0.5));
    TarAtFar n = m.tarAtFarNearest(0.5);
    assertThat(n.tar()).isEqualTo(1.0);
    assertThat(n.far()).isEqualTo(0.75);
    assertThat(n.threshold()).isEqualTo(0.5);
    assertThat(n.trueAccepts()).isEqualTo(2);
    assertThat(n.falseAccepts()).isEqualTo(3);
    assertThat(m.tarAtFar(0.5).tar()).isEqualTo(0.5); // the strict convention is unchanged
  }

  /*
   * Targets {0.9, 0.8, 0.7, 0.3}, non-targets {0.8, 0.7, 0.6, 0.5, 0.4}: ties across classes at 0.8
   * and 0.7. Steps (dt, dn) at 0.9 .. 0.3: (1,0) (1,1) (1,1) (0,1) (0,1) (0,1) (1,0); cumulative
   * (tp, fp): (1,0) (2,1) (3,2) (3,3) (3,4) (3,5) (4,5). Kept: 0.9 (first), 0.7 (its step differs
   * from the next), 0.4, 0.3 (last); dropped: 0.8 (two equal diagonal steps) and 0.6, 0.5 (a run
   * of impostors). With (0,0): FAR 0, 0 (0.9), .4 (0.7), 1 (0.4), 1 (0.3).
   *   FAR .1: distances .1 (FAR 0) and .3 -> the later FAR-0 point, 0.9, TAR 1/4.
   *   FAR .2: .2 and .2 (exact in doubles: .4 = 2 * .2) -> the later, 0.7, TAR 3/4
   *           (all points kept, FAR .2 at 0.8 with TAR 2/4 would be exact).
   *   FAR .3: |.4 - .3| rounds above |.2 - .3| but FAR .2 is dropped: |0 - .3| = .3 > .1 -> 0.7.
   *   FAR .8: .4 against .2 -> FAR 1; of its two points the later, 0.3, TAR 1.
   */
  @Test
  void tiesAcrossClassesAndDroppedDiagonal() {
    VerificationMetrics m =
        metrics(
            new double[] {0.9, 0.8, 0.7, 0.3},
            new double[] {0.8, 0.7, 0.6, 0.5, 0.4},
            List.of(0.1, 0.2, 0.3, 0.8));
    assertThat(m.tarAtFarNearest(0.1).tar()).isEqualTo(0.25);
    assertThat(m.tarAtFarNearest(0.1).threshold()).isEqualTo(0.9);
    assertThat(m.tarAtFarNearest(0.2).tar()).isEqualTo(0.75);
    assertThat(m.tarAtFarNearest(0.2).far()).isEqualTo(0.4);
    assertThat(m.tarAtFarNearest(0.2).threshold()).isEqualTo(0.7);
    assertThat(m.tarAtFarNearest(0.3).threshold()).isEqualTo(0.7);
    assertThat(m.tarAtFarNearest(0.8).tar()).isEqualTo(1.0);
    assertThat(m.tarAtFarNearest(0.8).threshold()).isEqualTo(0.3);
  }

  /*
   * Exact arithmetic would call FAR .2 and .4 equally far from .3; in doubles |.2 - .3| is smaller,
   * and so the script (and this rule) takes FAR .2. Both points are kept (their steps differ from
   * the next ones).
   */
  @Test
  void distancesAreRoundedAsInDoubles() {
    assertThat(Math.abs(0.2 - 0.3)).isLessThan(Math.abs(0.4 - 0.3));
    // targets {0.8, 0.6, 0.6, 0.3}, non-targets {0.7, 0.6, 0.2, 0.1, 0.0}: FAR .2 at 0.7 (TAR 1/4),
    // .4 at 0.6 and 0.3
    VerificationMetrics m =
        metrics(
            new double[] {0.8, 0.6, 0.6, 0.3},
            new double[] {0.7, 0.6, 0.2, 0.1, 0.0},
            List.of(0.3));
    assertThat(m.tarAtFarNearest(0.3).far()).isEqualTo(0.2);
    assertThat(m.tarAtFarNearest(0.3).tar()).isEqualTo(0.25);
  }

  @Test
  void agreesWithTheScriptOnRandomSetsWithTies() {
    SplittableRandom r = new SplittableRandom(13);
    for (int trial = 0; trial < 300; trial++) {
      int nt = 1 + r.nextInt(25);
      int nn = 1 + r.nextInt(40);
      int levels = 1 + r.nextInt(15);
      double[] t = new double[nt];
      double[] n = new double[nn];
      for (int i = 0; i < nt; i++) {
        t[i] = (r.nextInt(levels) + 1) / 8.0;
      }
      for (int i = 0; i < nn; i++) {
        n[i] = r.nextInt(levels) / 8.0;
      }
      List<Double> fars = new ArrayList<>(List.of(1e-3, 0.01, 0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 1.0));
      int k = r.nextInt(nn + 1);
      fars.add(Math.max(1e-9, (double) k / nn));
      fars.add((k + 0.5) / (nn + 1));
      VerificationMetrics m = metrics(t, n, fars);
      for (double f : m.options().farTargets()) {
        double[] ref = insightfaceTarAtFar(t, n, f);
        TarAtFar got = m.tarAtFarNearest(f);
        String what =
            "trial "
                + trial
                + " FAR "
                + f
                + " targets "
                + Arrays.toString(t)
                + " non-targets "
                + Arrays.toString(n);
        assertThat(got.tar()).as(what).isEqualTo(ref[0]);
        assertThat(got.far()).as(what).isEqualTo(ref[1]);
        double thr =
            ref[2] == Double.POSITIVE_INFINITY ? Math.nextUp(Math.max(max(t), max(n))) : ref[2];
        assertThat(got.threshold()).as(what).isEqualTo(thr);
      }
    }
  }

  private static double max(double[] a) {
    return Arrays.stream(a).max().orElseThrow();
  }

  /**
   * {tpr, fpr, threshold} as insightface's eval_ijbc.py picks it, transcribed step by step from
   * scikit-learn's {@code _binary_clf_curve} and {@code roc_curve(drop_intermediate=True)}, then
   * {@code min(zip(abs(fpr - x), range(len(fpr))))} on the flipped arrays.
   */
  private static double[] insightfaceTarAtFar(double[] targets, double[] nontargets, double x) {
    int size = targets.length + nontargets.length;
    double[] score = new double[size];
    int[] label = new int[size];
    for (int i = 0; i < size; i++) {
      boolean tg = i < targets.length;
      score[i] = tg ? targets[i] : nontargets[i - targets.length];
      label[i] = tg ? 1 : 0;
    }
    // desc_score_indices = np.argsort(y_score, kind="mergesort")[::-1]
    Integer[] order =
        IntStream.range(0, size)
            .boxed()
            .sorted(Comparator.comparingDouble(i -> score[i]))
            .toArray(Integer[]::new);
    double[] yScore = new double[size];
    double[] yTrue = new double[size];
    for (int i = 0; i < size; i++) {
      yScore[i] = score[order[size - 1 - i]];
      yTrue[i] = label[order[size - 1 - i]];
    }
    // distinct_value_indices = np.where(np.diff(y_score))[0]; threshold_idxs = np.r_[..., size - 1]
    List<Integer> thresholdIdxs = new ArrayList<>();
    for (int i = 0; i + 1 < size; i++) {
      if (yScore[i + 1] - yScore[i] != 0) {
        thresholdIdxs.add(i);
      }
    }
    thresholdIdxs.add(size - 1);
    // tps = stable_cumsum(y_true)[threshold_idxs]; fps = 1 + threshold_idxs - tps
    double[] cum = new double[size];
    double acc = 0;
    for (int i = 0; i < size; i++) {
      acc += yTrue[i];
      cum[i] = acc;
    }
    int m = thresholdIdxs.size();
    double[] tps = new double[m];
    double[] fps = new double[m];
    double[] thresholds = new double[m];
    for (int j = 0; j < m; j++) {
      int i = thresholdIdxs.get(j);
      tps[j] = cum[i];
      fps[j] = 1 + i - tps[j];
      thresholds[j] = yScore[i];
    }
    // roc_curve: drop_intermediate and len(fps) > 2
    if (m > 2) {
      double[] d2f = diff(diff(fps));
      double[] d2t = diff(diff(tps));
      List<Integer> optimal = new ArrayList<>();
      optimal.add(0);
      for (int j = 0; j < d2f.length; j++) {
        if (d2f[j] != 0 || d2t[j] != 0) {
          optimal.add(j + 1);
        }
      }
      optimal.add(m - 1);
      double[] t0 = tps;
      double[] f0 = fps;
      double[] th0 = thresholds;
      tps = optimal.stream().mapToDouble(j -> t0[j]).toArray();
      fps = optimal.stream().mapToDouble(j -> f0[j]).toArray();
      thresholds = optimal.stream().mapToDouble(j -> th0[j]).toArray();
      m = optimal.size();
    }
    // tps = np.r_[0, tps]; fps = np.r_[0, fps]; thresholds = np.r_[np.inf, thresholds]
    double[] fpr = new double[m + 1];
    double[] tpr = new double[m + 1];
    double[] thr = new double[m + 1];
    thr[0] = Double.POSITIVE_INFINITY;
    for (int j = 0; j < m; j++) {
      fpr[j + 1] = fps[j] / fps[m - 1];
      tpr[j + 1] = tps[j] / tps[m - 1];
      thr[j + 1] = thresholds[j];
    }
    // fpr = np.flipud(fpr); tpr = np.flipud(tpr); min over (abs(fpr - x), index)
    int best = -1;
    double bestDist = Double.POSITIVE_INFINITY;
    for (int i = 0; i <= m; i++) {
      int j = m - i; // flipped index i
      double d = Math.abs(fpr[j] - x);
      if (d < bestDist) { // strict: the first minimum in flipped order
        bestDist = d;
        best = j;
      }
    }
    return new double[] {tpr[best], fpr[best], thr[best]};
  }

  private static double[] diff(double[] a) {
    double[] out = new double[Math.max(0, a.length - 1)];
    for (int i = 0; i < out.length; i++) {
      out[i] = a[i + 1] - a[i];
    }
    return out;
  }
}
