package io.qmargin.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.AllPairs;
import io.qmargin.eval.protocol.CosineScoring;
import io.qmargin.eval.protocol.Embeddings;
import io.qmargin.eval.protocol.LabeledScores;
import io.qmargin.eval.protocol.TrialList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class ScoreJobTest {
  // every operating point kept, FAR targets that a few thousand impostors resolve and some not
  static final MetricOptions OPTIONS =
      MetricOptions.defaults()
          .withCurveResolution(0)
          .withFarTargets(List.of(1e-5, 1e-3, 0.01, 0.3));

  /**
   * n embeddings of `identities` identities: a centre per identity plus noise; some exact copies.
   */
  static Embeddings labelled(int n, int dim, int identities, long seed, int[] labelsOut) {
    Random r = new Random(seed);
    float[] centres = new float[identities * dim];
    for (int k = 0; k < centres.length; k++) {
      centres[k] = (float) r.nextGaussian();
    }
    float[] e = new float[n * dim];
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      int id = r.nextInt(identities);
      labelsOut[i] = id;
      keys[i] = "img" + i;
      for (int k = 0; k < dim; k++) {
        e[i * dim + k] = centres[id * dim + k] + 1.5f * (float) r.nextGaussian();
      }
      if (i % 17 == 5) { // an exact copy of an earlier row: tied scores across both classes
        System.arraycopy(e, (i - 3) * dim, e, i * dim, dim);
        labelsOut[i] = labelsOut[i - 3];
      }
    }
    return Embeddings.of(Path.of("mem"), keys, e, dim, "mem");
  }

  static Dataset<Row> table(Embeddings e, int[] labels) {
    String[] l = Arrays.stream(labels).mapToObj(x -> "person" + x).toArray(String[]::new);
    return EmbeddingTables.of(LocalSpark.session(), e.keys(), l, e.data(), e.dim());
  }

  static ScoreJob job(int blockRows, int rangeEntries) {
    return new ScoreJob(LocalSpark.session(), OPTIONS, blockRows, rangeEntries);
  }

  static void assertSame(VerificationMetrics actual, VerificationMetrics expected) {
    assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    assertThat(actual.roc().size()).isEqualTo(expected.roc().size()).isGreaterThan(100);
  }

  @Test
  void allPairsMetricsEqualSingleMachineEvalExactly() {
    int[] labels = new int[400];
    Embeddings e = labelled(400, 12, 25, 1, labels);
    LabeledScores single = AllPairs.score("mem", e.data(), e.dim(), labels);
    VerificationMetrics expected =
        VerificationMetrics.computeInPlace(single.targets(), single.nontargets(), OPTIONS);
    // small blocks and small ranges: many block pairs, many ranges in the driver's sweep
    VerificationMetrics actual = job(100, 20_000).allPairs(table(e, labels), "mem");
    assertSame(actual, expected);
    assertThat(actual.targets() + actual.nontargets()).isEqualTo(400L * 399 / 2);
  }

  @Test
  void trialListAndGalleryProbeEqualSingleMachineCosineScoring() {
    int[] labels = new int[120];
    Embeddings e = labelled(120, 8, 10, 2, labels);
    List<String> enroll = new ArrayList<>();
    List<String> test = new ArrayList<>();
    List<Boolean> target = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // gallery: rows 0..39, probes: rows 40..119
      for (int j = 40; j < 120; j++) {
        enroll.add(e.keys()[i]);
        test.add(e.keys()[j]);
        target.add(labels[i] == labels[j]);
      }
    }
    boolean[] isTarget = new boolean[target.size()];
    for (int i = 0; i < isTarget.length; i++) {
      isTarget[i] = target.get(i);
    }
    TrialList trials =
        new TrialList(Path.of("trials.txt"), enroll, test, isTarget, new long[isTarget.length]);
    double[] s = CosineScoring.score(trials, e);
    LabeledScores single = LabeledScores.split("trials", s, isTarget);
    VerificationMetrics expected =
        VerificationMetrics.computeInPlace(single.targets(), single.nontargets(), OPTIONS);

    Dataset<Row> all = table(e, labels);
    assertSame(job(40, 1000).trials(all, trials, "mem"), expected);
    Dataset<Row> gallery = all.filter("cast(substring(id, 4) as int) < 40");
    Dataset<Row> probe = all.filter("cast(substring(id, 4) as int) >= 40");
    assertSame(job(40, 1000).galleryProbe(gallery, "gallery", probe, "probe"), expected);
  }

  @Test
  void aTaskFailedOnceIsRetriedWithoutChangingTheMetrics() throws Exception {
    int[] labels = new int[150];
    Embeddings e = labelled(150, 8, 12, 3, labels);
    ScoreJob job = job(80, 5000);
    VerificationMetrics clean = job.allPairs(table(e, labels), "mem");
    var sc = LocalSpark.session().sparkContext();
    AtomicInteger failed = new AtomicInteger();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onTaskEnd(SparkListenerTaskEnd end) {
            if (!end.taskInfo().successful()) {
              failed.incrementAndGet();
            }
          }
        };
    sc.addSparkListener(listener);
    sc.setLocalProperty(FaultInjection.PROPERTY, "true");
    VerificationMetrics retried;
    try {
      retried = job.allPairs(table(e, labels), "mem");
    } finally {
      sc.setLocalProperty(FaultInjection.PROPERTY, null);
      sc.listenerBus().waitUntilEmpty();
      sc.removeSparkListener(listener);
    }
    assertThat(failed.get()).isGreaterThan(0);
    assertSame(retried, clean);
  }

  @Test
  void aTableWithoutTargetsOrWithAnUnknownTrialIdIsAClearError() {
    int[] labels = new int[20];
    Embeddings e = labelled(20, 4, 3, 4, labels);
    int[] distinct = new int[20];
    Arrays.setAll(distinct, i -> i);
    assertThatThrownBy(() -> job(8, 64).allPairs(table(e, distinct), "emb.parquet"))
        .isInstanceOf(UserInputException.class)
        .hasMessage("emb.parquet: only non-target trials, no target trial: the metrics need both");
    TrialList trials =
        new TrialList(
            Path.of("t.txt"),
            List.of("img1", "nobody"),
            List.of("img2", "img3"),
            new boolean[] {true, false},
            new long[] {1, 2});
    assertThatThrownBy(() -> job(8, 64).trials(table(e, labels), trials, "emb.parquet"))
        .isInstanceOf(UserInputException.class)
        .hasMessage("t.txt:2: unknown id 'nobody' (not in the ids of emb.parquet)");
  }
}
