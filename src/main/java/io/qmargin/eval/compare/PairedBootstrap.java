package io.qmargin.eval.compare;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.OperatingPointSweep;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.report.Numbers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Paired bootstrap of metric differences between systems scored on the same trials, resampling
 * subjects (Bolle, Ratha and Pankanti's subsets bootstrap, CVIU 2004) or, when subjects are
 * unknown, trials.
 *
 * <p>Scheme of one replicate, {@link Unit#SUBJECTS}: draw {@code subjectCount} subjects with
 * replacement; subject k is drawn c_k times, as c_k distinct copies. A trial between two subjects
 * enters the replicate with integer weight c(enroll subject) * c(test subject), once for every
 * pairing of a drawn copy of one with a drawn copy of the other; a trial within one subject (enroll
 * and test subject equal) enters c(subject) times, once per copy, since pairing two copies of one
 * person would invent trials between different draws. {@link Unit#TRIALS}: draw {@code n} trials
 * with replacement, weight = times drawn. A replicate whose weights leave no target or no
 * non-target is drawn again. The same weights serve every system; each system's metrics are then
 * computed on the weighted trials exactly as on a score file where trial i appears weight times
 * (its own thresholds per replicate: the strict TAR@FAR point, the EER crossing, the minDCF
 * minimum).
 *
 * <p>For every pair (A, B) in input order and every metric, the difference B - A on all trials, the
 * percentile interval of the replicate differences (linear interpolation between order statistics)
 * and a two-sided p-value: twice the share of replicates on the other side of 0 (0 included),
 * capped at 1. A TAR@FAR target below 1/non-targets gives NaN (n/a).
 */
public final class PairedBootstrap {

  /** What is resampled. */
  public enum Unit {
    /** Subjects (identities): trials sharing a subject are correlated. */
    SUBJECTS,
    /** Trials, for score files without subject keys; too narrow when subjects matter. */
    TRIALS
  }

  /**
   * Settings of the bootstrap.
   *
   * @param replicates number of replicates, at least 1
   * @param level confidence level of the intervals, in (0, 1)
   * @param seed seed of the draws
   * @param unit what is resampled
   */
  public record Settings(int replicates, double level, long seed, Unit unit) {
    public Settings {
      if (replicates < 1) {
        throw new IllegalArgumentException("bootstrap replicates must be >= 1, got " + replicates);
      }
      if (!(level > 0 && level < 1)) {
        throw new IllegalArgumentException("confidence level " + level + " is not in (0, 1)");
      }
    }
  }

  private final PairedTrials trials;
  private final MetricOptions options;
  private final int[][] descendingOrder;
  private final long nontargets; // of the full set: decides which FAR targets are resolvable

  public PairedBootstrap(PairedTrials trials, MetricOptions options) {
    this.trials = trials;
    this.options = options;
    int n = trials.size();
    long nt = 0;
    for (boolean b : trials.isTarget()) {
      nt += b ? 0 : 1;
    }
    nontargets = nt;
    descendingOrder = new int[trials.systems().length][];
    for (int s = 0; s < descendingOrder.length; s++) {
      double[] sc = trials.scores()[s];
      descendingOrder[s] =
          java.util.stream.IntStream.range(0, n)
              .boxed()
              .sorted((a, b) -> Double.compare(sc[b] + 0.0, sc[a] + 0.0))
              .mapToInt(Integer::intValue)
              .toArray();
    }
  }

  int trialCount() {
    return trials.size();
  }

  /** Names of the metrics, in the order of {@link #metricValues}. */
  public List<String> metricNames() {
    List<String> names = new ArrayList<>();
    for (double f : options.farTargets()) {
      names.add("TAR@FAR=" + Numbers.key(f));
    }
    names.add("EER");
    for (double p : options.pTargets()) {
      names.add("minDCF(" + Numbers.key(p) + ")");
    }
    return names;
  }

  /** Every difference, pairs (A, B) with A before B in input order, metrics as named above. */
  public List<Difference> run(Settings settings) {
    int systems = trials.systems().length;
    long[] ones = new long[trials.size()];
    Arrays.fill(ones, 1);
    double[][] observed = new double[systems][];
    for (int s = 0; s < systems; s++) {
      observed[s] = metricValues(s, ones);
    }
    int metrics = observed[0].length;
    // replicate[s][m][r]
    double[][][] replicate = new double[systems][metrics][settings.replicates()];
    SplittableRandom random = new SplittableRandom(settings.seed());
    for (int r = 0; r < settings.replicates(); r++) {
      long[] w = draw(random, settings.unit());
      for (int s = 0; s < systems; s++) {
        double[] v = metricValues(s, w);
        for (int m = 0; m < metrics; m++) {
          replicate[s][m][r] = v[m];
        }
      }
    }
    List<String> names = metricNames();
    List<Difference> out = new ArrayList<>();
    for (int a = 0; a < systems; a++) {
      for (int b = a + 1; b < systems; b++) {
        for (int m = 0; m < metrics; m++) {
          double[] d = new double[settings.replicates()];
          for (int r = 0; r < d.length; r++) {
            d[r] = replicate[b][m][r] - replicate[a][m][r];
          }
          out.add(
              difference(
                  trials.systems()[a],
                  trials.systems()[b],
                  names.get(m),
                  observed[a][m],
                  observed[b][m],
                  d,
                  settings.level()));
        }
      }
    }
    return out;
  }

  static Difference difference(
      String a, String b, String metric, double va, double vb, double[] reps, double level) {
    double d = vb - va;
    if (Double.isNaN(d)) {
      return new Difference(a, b, metric, va, vb, d, Double.NaN, Double.NaN, Double.NaN, level);
    }
    double[] sorted = reps.clone();
    Arrays.sort(sorted);
    long otherSide = 0;
    for (double x : sorted) {
      if (d > 0 ? x <= 0 : d < 0 ? x >= 0 : true) {
        otherSide++;
      }
    }
    double p = Math.min(1.0, 2.0 * otherSide / sorted.length);
    double tail = (1 - level) / 2;
    return new Difference(
        a, b, metric, va, vb, d, quantile(sorted, tail), quantile(sorted, 1 - tail), p, level);
  }

  /** Quantile q of sorted values, linear between order statistics (R's type 7). */
  static double quantile(double[] sorted, double q) {
    double h = q * (sorted.length - 1);
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Weights of one replicate: redrawn until both labels keep some weight. */
  long[] draw(SplittableRandom random, Unit unit) {
    int n = trials.size();
    while (true) {
      long[] w = new long[n];
      if (unit == Unit.TRIALS) {
        for (int i = 0; i < n; i++) {
          w[random.nextInt(n)]++;
        }
      } else {
        int k = trials.subjectCount();
        long[] c = new long[k];
        for (int i = 0; i < k; i++) {
          c[random.nextInt(k)]++;
        }
        w = weights(c);
      }
      if (hasBothLabels(w)) {
        return w;
      }
    }
  }

  /**
   * Trial weights of a subject draw: c(enroll subject) * c(test subject) across subjects,
   * c(subject) within one.
   */
  long[] weights(long[] subjectCounts) {
    long[] w = new long[trials.size()];
    for (int i = 0; i < w.length; i++) {
      int e = trials.enrollSubject()[i];
      int t = trials.testSubject()[i];
      // a copy of a subject is paired with itself only: c copies of one subject are c trials
      w[i] = e == t ? subjectCounts[e] : subjectCounts[e] * subjectCounts[t];
    }
    return w;
  }

  private boolean hasBothLabels(long[] w) {
    boolean t = false;
    boolean n = false;
    for (int i = 0; i < w.length; i++) {
      if (w[i] > 0) {
        t |= trials.isTarget()[i];
        n |= !trials.isTarget()[i];
      }
    }
    return t && n;
  }

  /**
   * Metrics of system s on trials weighted by w (trial i counted w[i] times): strict TAR at each
   * FAR target (NaN when the target is below 1 / non-targets of the full set), EER, minDCF.
   */
  double[] metricValues(int s, long[] w) {
    VerificationMetrics vm = weightedMetrics(s, w);
    List<Double> fars = options.farTargets();
    List<Double> ps = options.pTargets();
    double[] v = new double[fars.size() + 1 + ps.size()];
    int m = 0;
    for (double f : fars) {
      var t = vm.tarAtFar(f);
      v[m++] = t.resolvable(nontargets) ? t.tar() : Double.NaN;
    }
    v[m++] = vm.eer();
    for (double p : ps) {
      v[m++] = vm.minDcf(p).value();
    }
    return v;
  }

  VerificationMetrics weightedMetrics(int s, long[] w) {
    boolean[] target = trials.isTarget();
    long tg = 0;
    long nt = 0;
    for (int i = 0; i < w.length; i++) {
      if (target[i]) {
        tg += w[i];
      } else {
        nt += w[i];
      }
    }
    OperatingPointSweep sweep = new OperatingPointSweep(tg, nt, options);
    double[] sc = trials.scores()[s];
    int[] order = descendingOrder[s];
    int j = 0;
    while (j < order.length) {
      double t = sc[order[j]] + 0.0; // -0.0 groups with 0.0
      long dt = 0;
      long dn = 0;
      while (j < order.length && sc[order[j]] + 0.0 == t) {
        int i = order[j++];
        if (target[i]) {
          dt += w[i];
        } else {
          dn += w[i];
        }
      }
      if (dt + dn > 0) {
        sweep.add(t, dt, dn);
      }
    }
    return sweep.finish();
  }
}
