package io.qmargin.spark;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.AllPairs;
import io.qmargin.eval.protocol.LabeledScores;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import org.apache.spark.sql.SparkSession;

/**
 * The all-pairs benchmark: n synthetic embeddings (an identity centre plus Gaussian noise, n /
 * identities images each), all n(n-1)/2 pairs scored with exact metrics on Spark and then on one
 * machine ({@link AllPairs} and {@link VerificationMetrics#computeInPlace}, what {@code eval}
 * runs), the two results compared field by field, and the throughput of both in pairs per second.
 */
public final class ScoreBenchmark {
  private ScoreBenchmark() {}

  /**
   * The synthetic set: embeddings of dimension dim, identities in turn (image i is of i mod
   * identities).
   */
  public record Config(int embeddings, int dim, int identities, long seed) {}

  /**
   * @param sparkCores the cores of the Spark job (local[N]: N)
   * @param machineCores the cores of this JVM, which the single-machine sort uses
   * @param identical whether every metric and the whole ROC agree exactly
   */
  public record Result(
      long pairs,
      double sparkSeconds,
      int sparkCores,
      double machineSeconds,
      int machineCores,
      boolean identical,
      VerificationMetrics metrics) {}

  static Result run(SparkSession spark, Config c, int blockRows) {
    String[] ids = new String[c.embeddings()];
    String[] labels = new String[c.embeddings()];
    int[] labelIndex = new int[c.embeddings()];
    float[] data = synthetic(c, labels, labelIndex, ids);
    MetricOptions options = MetricOptions.defaults();
    var table = EmbeddingTables.of(spark, ids, labels, data, c.dim()).cache();
    table.count(); // the synthetic table is built before the clock starts
    long t0 = System.nanoTime();
    VerificationMetrics distributed =
        new ScoreJob(spark, options, blockRows, DistributedMetrics.DEFAULT_RANGE_ENTRIES)
            .allPairs(table, "synthetic");
    long t1 = System.nanoTime();
    table.unpersist();
    LabeledScores s = AllPairs.score("synthetic", data, c.dim(), labelIndex);
    VerificationMetrics single =
        VerificationMetrics.computeInPlace(s.targets(), s.nontargets(), options);
    long t2 = System.nanoTime();
    return new Result(
        (long) c.embeddings() * (c.embeddings() - 1) / 2,
        (t1 - t0) / 1e9,
        spark.sparkContext().defaultParallelism(),
        (t2 - t1) / 1e9,
        Runtime.getRuntime().availableProcessors(),
        identical(distributed, single),
        distributed);
  }

  static float[] synthetic(Config c, String[] labels, int[] labelIndex, String[] ids) {
    Random r = new Random(c.seed());
    float[] centres = new float[c.identities() * c.dim()];
    for (int k = 0; k < centres.length; k++) {
      centres[k] = (float) r.nextGaussian();
    }
    float[] data = new float[c.embeddings() * c.dim()];
    for (int i = 0; i < c.embeddings(); i++) {
      int id = i % c.identities();
      labelIndex[i] = id;
      labels[i] = "id" + id;
      ids[i] = "img" + i;
      for (int k = 0; k < c.dim(); k++) {
        data[i * c.dim() + k] = centres[id * c.dim() + k] + (float) r.nextGaussian();
      }
    }
    return data;
  }

  /** Every metric and the whole stored ROC equal, bit for bit. */
  static boolean identical(VerificationMetrics a, VerificationMetrics b) {
    return a.targets() == b.targets()
        && a.nontargets() == b.nontargets()
        && Double.compare(a.eer(), b.eer()) == 0
        && Double.compare(a.eerRocch(), b.eerRocch()) == 0
        && Double.compare(a.eerThreshold(), b.eerThreshold()) == 0
        && Double.compare(a.auc(), b.auc()) == 0
        && Objects.equals(a.minDcf(), b.minDcf())
        && Objects.equals(a.tarAtFar(), b.tarAtFar())
        && Objects.equals(a.tarAtFarNearest(), b.tarAtFarNearest())
        && Arrays.equals(a.roc().thresholds(), b.roc().thresholds())
        && Arrays.equals(a.roc().trueAccepts(), b.roc().trueAccepts())
        && Arrays.equals(a.roc().falseAccepts(), b.roc().falseAccepts());
  }
}
