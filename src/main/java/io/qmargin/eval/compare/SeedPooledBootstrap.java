package io.qmargin.eval.compare;

import io.qmargin.eval.metrics.MetricOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Paired bootstrap of metric differences between systems trained with several seeds and scored on
 * the same trials, pooled over the seeds: the difference of a pair (A, B) is the mean over seeds of
 * each seed's difference B - A.
 *
 * <p>Subjects and seeds are crossed factors (every seed scores every subject), so one replicate
 * resamples both, independently (Owen's pigeonhole bootstrap for crossed random effects, Ann. Appl.
 * Stat. 2007): it draws subjects as {@link PairedBootstrap} does (the same trial weights for every
 * seed and system, so the subject draw is shared) and draws {@code N} of the {@code N} seeds with
 * replacement; the replicate difference is the mean, over the drawn seeds, of their differences
 * under the shared subject weights. Resampling the seeds lets the interval carry the run-to-run
 * spread of training; with one seed it is {@link PairedBootstrap}'s interval. Interval and p-value
 * as in {@link PairedBootstrap}; {@code valueA}/{@code valueB} of a {@link Difference} are the
 * systems' means over seeds.
 */
public final class SeedPooledBootstrap {
  private final List<PairedBootstrap> seeds;
  private final String[] systems;

  /**
   * @param perSeed the trials of each seed: the same trials (subjects, labels) and systems in the
   *     same order, only the scores differ
   */
  public SeedPooledBootstrap(List<PairedTrials> perSeed, MetricOptions options) {
    if (perSeed.isEmpty()) {
      throw new IllegalArgumentException("no seeds");
    }
    PairedTrials first = perSeed.get(0);
    for (PairedTrials t : perSeed) {
      if (!Arrays.equals(t.enrollSubject(), first.enrollSubject())
          || !Arrays.equals(t.testSubject(), first.testSubject())
          || !Arrays.equals(t.isTarget(), first.isTarget())
          || t.subjectCount() != first.subjectCount()
          || !Arrays.equals(t.systems(), first.systems())) {
        throw new IllegalArgumentException("the seeds do not score the same trials and systems");
      }
    }
    this.systems = first.systems();
    this.seeds = perSeed.stream().map(t -> new PairedBootstrap(t, options)).toList();
  }

  /** Names of the metrics, in the order of {@link #values}. */
  public List<String> metricNames() {
    return seeds.get(0).metricNames();
  }

  /** Every seed's metrics on all trials: values()[seed][system][metric]. */
  public double[][][] values() {
    PairedBootstrap.Resample all = seeds.get(0).all();
    double[][][] v = new double[seeds.size()][systems.length][];
    for (int k = 0; k < seeds.size(); k++) {
      for (int s = 0; s < systems.length; s++) {
        v[k][s] = seeds.get(k).metricValues(s, all);
      }
    }
    return v;
  }

  /** Every pooled difference: pairs (A, B) with A before B, metrics as {@link #metricNames}. */
  public List<Difference> run(PairedBootstrap.Settings settings) {
    return run(settings, true);
  }

  /**
   * As {@link #run(PairedBootstrap.Settings)}; {@code resampleSeeds} false keeps the seeds fixed
   * (subjects only), which the tests use to show what resampling the seeds adds.
   */
  List<Difference> run(PairedBootstrap.Settings settings, boolean resampleSeeds) {
    int n = seeds.size();
    double[][][] observed = values();
    int metrics = observed[0][0].length;
    int r = settings.replicates();
    // replicate[s][m][r]: system s's metric m averaged over the replicate's drawn seeds
    double[][][] replicate = new double[systems.length][metrics][r];
    SplittableRandom random = new SplittableRandom(settings.seed());
    for (int rep = 0; rep < r; rep++) {
      PairedBootstrap.Resample w = seeds.get(0).draw(random, settings.unit());
      int[] drawn = new int[n];
      for (int i = 0; i < n; i++) {
        drawn[resampleSeeds && n > 1 ? random.nextInt(n) : i]++;
      }
      for (int k = 0; k < n; k++) {
        if (drawn[k] == 0) {
          continue;
        }
        for (int s = 0; s < systems.length; s++) {
          double[] v = seeds.get(k).metricValues(s, w);
          for (int m = 0; m < metrics; m++) {
            replicate[s][m][rep] += drawn[k] * v[m] / n;
          }
        }
      }
    }
    List<String> names = metricNames();
    List<Difference> out = new ArrayList<>();
    for (int a = 0; a < systems.length; a++) {
      for (int b = a + 1; b < systems.length; b++) {
        for (int m = 0; m < metrics; m++) {
          double[] d = new double[r];
          for (int rep = 0; rep < r; rep++) {
            d[rep] = replicate[b][m][rep] - replicate[a][m][rep];
          }
          out.add(
              PairedBootstrap.difference(
                  systems[a],
                  systems[b],
                  names.get(m),
                  mean(observed, a, m),
                  mean(observed, b, m),
                  d,
                  settings.level()));
        }
      }
    }
    return out;
  }

  private static double mean(double[][][] v, int system, int metric) {
    double sum = 0;
    for (double[][] seed : v) {
      sum += seed[system][metric];
    }
    return sum / v.length;
  }
}
