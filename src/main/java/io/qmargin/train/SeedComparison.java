package io.qmargin.train;

import io.qmargin.eval.compare.Difference;
import io.qmargin.eval.compare.PairedBootstrap;
import io.qmargin.eval.compare.PairedScoreFiles;
import io.qmargin.eval.compare.PairedTrials;
import io.qmargin.eval.compare.SeedPooledBootstrap;
import io.qmargin.eval.compare.Spread;
import io.qmargin.eval.metrics.MetricOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The held-out figures of several methods trained over one or more seeds, on the same trials: each
 * figure per seed, its {@link Spread} over seeds, and the differences between methods pooled over
 * seeds ({@link SeedPooledBootstrap}, subjects and seeds resampled).
 *
 * @param methods method names, in the order of the comparison (the first is the reference)
 * @param seeds the seeds, in run order
 * @param fars the FAR targets, ascending: metric i &lt; fars.size() is the TAR at fars[i]
 * @param metrics metric names: {@code TAR@FAR=<far>} by ascending FAR, {@code EER}, {@code
 *     minDCF(0.01)}
 * @param values values[seed][method][metric]
 * @param differences every pooled difference B - A, A before B
 * @param unit what the bootstrap resampled besides the seeds
 * @param replicates bootstrap replicates
 */
public record SeedComparison(
    List<String> methods,
    long[] seeds,
    List<Double> fars,
    List<String> metrics,
    double[][][] values,
    List<Difference> differences,
    PairedBootstrap.Unit unit,
    int replicates) {

  /** The minDCF prior of the demo's table. */
  static final double P_TARGET = 0.01;

  /** Confidence level of the intervals. */
  static final double LEVEL = 0.95;

  static SeedComparison of(
      List<LossComparison.SeedRun> runs, List<Double> fars, int replicates, long bootstrapSeed) {
    List<String> names = runs.get(0).methods().stream().map(LossComparison.Method::name).toList();
    String[] systems = names.toArray(new String[0]);
    MetricOptions options =
        MetricOptions.defaults().withFarTargets(fars).withPTargets(List.of(P_TARGET));
    long[] seeds = runs.stream().mapToLong(LossComparison.SeedRun::seed).toArray();
    List<Double> ordered = options.farTargets(); // the metric order: ascending
    if (systems.length < 2) {
      return new SeedComparison(
          names,
          seeds,
          ordered,
          metricNames(ordered),
          singleValues(runs, ordered),
          List.of(),
          PairedBootstrap.Unit.TRIALS,
          0);
    }
    List<PairedTrials> perSeed = new ArrayList<>();
    PairedBootstrap.Unit unit = null;
    for (LossComparison.SeedRun run : runs) {
      PairedScoreFiles.Paired p =
          HeldOutTrials.paired(
              run.methods().stream().map(LossComparison.Method::heldOut).toList(), systems);
      unit = p.unit();
      perSeed.add(p.trials());
    }
    SeedPooledBootstrap b = new SeedPooledBootstrap(perSeed, options);
    List<Difference> diffs =
        b.run(new PairedBootstrap.Settings(replicates, LEVEL, bootstrapSeed, unit));
    return new SeedComparison(
        names, seeds, ordered, b.metricNames(), b.values(), diffs, unit, replicates);
  }

  private static List<String> metricNames(List<Double> fars) {
    List<String> names = new ArrayList<>();
    for (double f : fars) {
      names.add(tarName(f));
    }
    names.add("EER");
    names.add("minDCF(" + io.qmargin.eval.report.Numbers.key(P_TARGET) + ")");
    return names;
  }

  /** One method: its figures per seed straight from its metrics (nothing to compare). */
  private static double[][][] singleValues(List<LossComparison.SeedRun> runs, List<Double> fars) {
    double[][][] v = new double[runs.size()][1][];
    for (int k = 0; k < runs.size(); k++) {
      ValidationResult p = runs.get(k).methods().get(0).primary();
      double[] row = new double[fars.size() + 2];
      for (int f = 0; f < fars.size(); f++) {
        row[f] = p.resolves(fars.get(f)) ? p.tarAt(fars.get(f)) : Double.NaN;
      }
      row[fars.size()] = p.metrics().eer();
      row[fars.size() + 1] = p.metrics().minDcf(P_TARGET).value();
      v[k][0] = row;
    }
    return v;
  }

  /** The position of a metric in {@link #metrics}. */
  public int metricIndex(String name) {
    int i = metrics.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no metric " + name + " in " + metrics);
    }
    return i;
  }

  /** The name of the TAR at {@code far}. */
  public static String tarName(double far) {
    return "TAR@FAR=" + io.qmargin.eval.report.Numbers.key(far);
  }

  /** The spread over seeds of one method's metric. */
  public Spread spread(int method, int metric) {
    double[] v = new double[seeds.length];
    for (int k = 0; k < v.length; k++) {
      v[k] = values[k][method][metric];
    }
    return Spread.of(v);
  }

  /** The pooled difference of {@code method} from the first method, at {@code metric}. */
  public Difference versusFirst(int method, int metric) {
    String name = metrics.get(metric);
    return differences.stream()
        .filter(
            d ->
                d.systemA().equals(methods.get(0))
                    && d.systemB().equals(methods.get(method))
                    && d.metric().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** How the intervals were computed, one sentence. */
  public String method() {
    return String.format(
        Locale.ROOT,
        "paired bootstrap, %s resampled%s, %d replicates, %d%% percentile intervals%s",
        unit == PairedBootstrap.Unit.SUBJECTS
            ? "subjects (identities)"
            : "trials (the protocol has no subjects)",
        seeds.length > 1 ? " together with the " + seeds.length + " seeds" : "",
        replicates,
        Math.round(LEVEL * 100),
        seeds.length > 1 ? "; differences are means over seeds" : "");
  }
}
