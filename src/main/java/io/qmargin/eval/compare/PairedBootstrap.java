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
 * minimum), in one sweep over its trials sorted once ({@link SortedTrials}), whose points are a few
 * per target trial however many non-targets there are.
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
  private final SortedTrials[] sorted; // per system
  private final long nontargets; // of the full set: decides which FAR targets are resolvable

  public PairedBootstrap(PairedTrials trials, MetricOptions options) {
    this.trials = trials;
    this.options = options;
    long nt = 0;
    for (boolean b : trials.isTarget()) {
      nt += b ? 0 : 1;
    }
    nontargets = nt;
    sorted = new SortedTrials[trials.systems().length];
    for (int s = 0; s < sorted.length; s++) {
      sorted[s] = SortedTrials.of(trials, s);
    }
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
    Resample all = all();
    double[][] observed = new double[systems][];
    for (int s = 0; s < systems; s++) {
      observed[s] = metricValues(s, all);
    }
    int metrics = observed[0].length;
    // replicate[s][m][r]
    double[][][] replicate = new double[systems][metrics][settings.replicates()];
    SplittableRandom random = new SplittableRandom(settings.seed());
    for (int r = 0; r < settings.replicates(); r++) {
      Resample w = draw(random, settings.unit());
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

  /**
   * One replicate's resample: subject counts ({@link Unit#SUBJECTS}, trial weights follow by {@link
   * #weights}) or trial weights ({@link Unit#TRIALS}), with the total target and non-target weight.
   */
  record Resample(long[] subjectCounts, long[] trialWeights, long targets, long nontargets) {}

  /** Every trial once. */
  Resample all() {
    long[] ones = new long[trials.size()];
    Arrays.fill(ones, 1);
    return trialWeights(ones);
  }

  private Resample trialWeights(long[] w) {
    long tg = 0;
    long nt = 0;
    boolean[] target = trials.isTarget();
    for (int i = 0; i < w.length; i++) {
      if (target[i]) {
        tg += w[i];
      } else {
        nt += w[i];
      }
    }
    return new Resample(null, w, tg, nt);
  }

  /** One replicate: redrawn until both labels keep some weight. */
  Resample draw(SplittableRandom random, Unit unit) {
    int n = trials.size();
    while (true) {
      Resample r;
      if (unit == Unit.TRIALS) {
        long[] w = new long[n];
        for (int i = 0; i < n; i++) {
          w[random.nextInt(n)]++;
        }
        r = trialWeights(w);
      } else {
        int k = trials.subjectCount();
        long[] c = new long[k];
        for (int i = 0; i < k; i++) {
          c[random.nextInt(k)]++;
        }
        r = subjectCounts(c);
      }
      if (r.targets() > 0 && r.nontargets() > 0) {
        return r;
      }
    }
  }

  private Resample subjectCounts(long[] c) {
    long tg = 0;
    long nt = 0;
    boolean[] target = trials.isTarget();
    int[] e = trials.enrollSubject();
    int[] t = trials.testSubject();
    for (int i = 0; i < target.length; i++) {
      long w = weight(c, e[i], t[i]);
      if (target[i]) {
        tg += w;
      } else {
        nt += w;
      }
    }
    return new Resample(c, null, tg, nt);
  }

  /**
   * Trial weights of a subject draw: c(enroll subject) * c(test subject) across subjects,
   * c(subject) within one.
   */
  long[] weights(long[] subjectCounts) {
    long[] w = new long[trials.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = weight(subjectCounts, trials.enrollSubject()[i], trials.testSubject()[i]);
    }
    return w;
  }

  private static long weight(long[] c, int enroll, int test) {
    // a copy of a subject is paired with itself only: c copies of one subject are c trials
    return enroll == test ? c[enroll] : c[enroll] * c[test];
  }

  /**
   * Metrics of system s on the resampled trials: strict TAR at each FAR target (NaN when the target
   * is below 1 / non-targets of the full set), EER, minDCF.
   */
  double[] metricValues(int s, Resample r) {
    VerificationMetrics vm = weightedMetrics(s, r);
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

  /** {@link #weightedMetrics(int, Resample)} of explicit trial weights. */
  VerificationMetrics weightedMetrics(int s, long[] w) {
    return weightedMetrics(s, trialWeights(w));
  }

  /**
   * Metrics of system s on trials weighted as r says (trial i counted w[i] times). The strict
   * TAR@FAR, EER, minDCF and AUC equal those of the expanded score list; the curve and the nearest
   * TAR@FAR do not (see {@link SortedTrials}) and are not used.
   */
  VerificationMetrics weightedMetrics(int s, Resample r) {
    OperatingPointSweep sweep = new OperatingPointSweep(r.targets(), r.nontargets(), options);
    SortedTrials st = sorted[s];
    long[] c = r.subjectCounts();
    long[] w = r.trialWeights();
    for (int g = 0; g < st.groupScore().length; g++) {
      long dt = 0;
      long dn = 0;
      for (int j = st.groupStart()[g]; j < st.groupStart()[g + 1]; j++) {
        long x = c != null ? weight(c, st.enroll()[j], st.test()[j]) : w[st.order()[j]];
        if (st.target()[j]) {
          dt += x;
        } else {
          dn += x;
        }
      }
      if (dt + dn > 0) {
        sweep.add(st.groupScore()[g], dt, dn);
      }
    }
    return sweep.finish();
  }
}
