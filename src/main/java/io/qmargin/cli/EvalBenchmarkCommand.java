package io.qmargin.cli;

import io.qmargin.eval.metrics.MetricOptions;
import io.qmargin.eval.metrics.TarAtFar;
import io.qmargin.eval.metrics.VerificationMetrics;
import io.qmargin.eval.protocol.IjbMeta;
import io.qmargin.eval.protocol.TemplatePairs;
import io.qmargin.eval.protocol.TemplatePooling;
import io.qmargin.eval.report.Numbers;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Timing of the evaluation at scale on synthetic data: metrics of 10^8 scores against the time of
 * just sorting them, and IJB-C-sized template pooling plus 15.7M pair scoring.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark the evaluation: metrics of N scores (default 10^8) against a plain sort of them,",
      "and IJB-C-sized synthetic template pooling + pair scoring (469,375 images, 23,124 templates,",
      "15,658,489 pairs, 512-d)."
    })
public final class EvalBenchmarkCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--scores",
      defaultValue = "100000000",
      description = "Number of scores (default: ${DEFAULT-VALUE}).")
  int scores;

  @Option(
      names = "--target-fraction",
      defaultValue = "0.01",
      description = "Fraction of target scores (default: ${DEFAULT-VALUE}).")
  double targetFraction;

  @Option(
      names = "--images",
      defaultValue = "469375",
      description = "IJB images (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(
      names = "--templates",
      defaultValue = "23124",
      description = "IJB templates (default: ${DEFAULT-VALUE}).")
  int templates;

  @Option(
      names = "--pairs",
      defaultValue = "15658489",
      description = "IJB pairs (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(
      names = "--dim",
      defaultValue = "512",
      description = "Feature dimension (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--skip-scores", description = "Skip the score-metrics benchmark.")
  boolean skipScores;

  @Option(names = "--skip-ijb", description = "Skip the IJB benchmark.")
  boolean skipIjb;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "machine: %d cores, max heap %.1f GiB, %s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / (double) (1L << 30),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    if (!skipScores) {
      benchScores(out);
    }
    if (!skipIjb) {
      benchIjb(out);
    }
    out.flush();
    return 0;
  }

  private void benchScores(PrintWriter out) {
    int nt = (int) Math.round(scores * targetFraction);
    int nn = scores - nt;
    out.printf(
        "%n== metrics of %,d scores (%,d target, %,d non-target; N(2,1) vs N(0,1), rounded to 1e-6 so ties occur) ==%n",
        (long) scores, nt, nn);
    long t0 = System.nanoTime();
    double[] tg = gaussians(nt, 2, seed);
    double[] im = gaussians(nn, 0, seed + 1);
    out.printf("generate:                 %6.2f s%n", secs(t0));
    double[] a = tg.clone();
    double[] b = im.clone();
    t0 = System.nanoTime();
    Arrays.parallelSort(a);
    Arrays.parallelSort(b);
    double sort = secs(t0);
    out.printf("Arrays.parallelSort only: %6.2f s%n", sort);
    a = null;
    b = null;
    MetricOptions opts = MetricOptions.defaults();
    t0 = System.nanoTime();
    VerificationMetrics m = VerificationMetrics.computeInPlace(tg, im, opts);
    double all = secs(t0);
    out.printf("all metrics (sort+sweep): %6.2f s  (%.2fx the sort alone)%n", all, all / sort);
    t0 = System.nanoTime();
    VerificationMetrics again = VerificationMetrics.computeSorted(tg, im, opts);
    out.printf("sweep on sorted arrays:   %6.2f s%n", secs(t0));
    out.printf(
        "EER %s  ROCCH-EER %s  minDCF(0.01) %s  AUC %s  ROC points kept %d%n",
        Numbers.percent(m.eer()),
        Numbers.percent(m.eerRocch()),
        Numbers.num(m.minDcf(0.01).value()),
        Numbers.num(m.auc()),
        m.roc().size());
    for (TarAtFar t : m.tarAtFar()) {
      out.printf(
          "  TAR@FAR=%-5s strict %s (impostors >= thr: %d)  nearest %s%n",
          Numbers.key(t.farTarget()),
          Numbers.percent(t.tar()),
          t.falseAccepts(),
          Numbers.percent(m.tarAtFarNearest(t.farTarget()).tar()));
    }
    if (again.eer() != m.eer()) {
      throw new IllegalStateException("sweep is not deterministic");
    }
  }

  private static double[] gaussians(int n, double mean, long seed) {
    double[] v = new double[n];
    int chunks = 64;
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            c -> {
              SplittableRandom r = new SplittableRandom(seed * 1_000_003L + c);
              int s = (int) ((long) n * c / chunks);
              int e = (int) ((long) n * (c + 1) / chunks);
              for (int i = s; i < e; i++) {
                v[i] = Math.rint((mean + gaussian(r)) * 1e6) / 1e6;
              }
            });
    return v;
  }

  /** Marsaglia polar method (SplittableRandom has no nextGaussian on JDK 17). */
  private static double gaussian(SplittableRandom r) {
    double x;
    double y;
    double s;
    do {
      x = 2 * r.nextDouble() - 1;
      y = 2 * r.nextDouble() - 1;
      s = x * x + y * y;
    } while (s >= 1 || s == 0);
    return x * Math.sqrt(-2 * Math.log(s) / s);
  }

  private void benchIjb(PrintWriter out) {
    out.printf(
        "%n== IJB-C-sized 1:1: %,d images, %,d templates, %,d pairs, %d-d ==%n",
        images, templates, pairs, dim);
    long t0 = System.nanoTime();
    int identities = Math.max(2, templates / 7);
    SplittableRandom r = new SplittableRandom(seed);
    int[] identityOf = new int[templates];
    for (int t = 0; t < templates; t++) {
      identityOf[t] = r.nextInt(identities);
    }
    // identity centres, then images = centre of their template's identity + noise
    float[] centres = new float[identities * dim];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = (float) (r.nextDouble() - 0.5);
    }
    String[] names = new String[images];
    long[] tid = new long[images];
    long[] mid = new long[images];
    for (int i = 0; i < images; i++) {
      names[i] = i + ".jpg";
      tid[i] = i < templates ? i : r.nextInt(templates); // every template gets at least one image
      mid[i] = tid[i] * 1000 + r.nextInt(4); // a few media per template
    }
    float[] feats = new float[images * dim];
    float[] det = new float[images];
    IntStream.range(0, 64)
        .parallel()
        .forEach(
            c -> {
              SplittableRandom rr = new SplittableRandom(seed * 31 + c);
              for (int i = (int) ((long) images * c / 64);
                  i < (int) ((long) images * (c + 1) / 64);
                  i++) {
                int id = identityOf[(int) tid[i]];
                for (int k = 0; k < dim; k++) {
                  feats[i * dim + k] =
                      centres[id * dim + k] + (float) (1.2 * (rr.nextDouble() - 0.5));
                }
                det[i] = (float) (0.5 + 0.5 * rr.nextDouble());
              }
            });
    IjbMeta meta =
        new IjbMeta(java.nio.file.Path.of("synthetic_face_tid_mid.txt"), names, tid, mid);
    // template lists per identity, for genuine pairs
    int[][] byIdentity = new int[identities][];
    int[] cnt = new int[identities];
    for (int t = 0; t < templates; t++) {
      cnt[identityOf[t]]++;
    }
    for (int i = 0; i < identities; i++) {
      byIdentity[i] = new int[cnt[i]];
      cnt[i] = 0;
    }
    for (int t = 0; t < templates; t++) {
      byIdentity[identityOf[t]][cnt[identityOf[t]]++] = t;
    }
    int genuine = Math.min(pairs / 800 + 1, pairs - 1); // IJB-C: 19,557 genuine of 15,658,489
    int[] p1 = new int[pairs];
    int[] p2 = new int[pairs];
    boolean[] lab = new boolean[pairs];
    for (int k = 0; k < pairs; k++) {
      int a = r.nextInt(templates);
      int b;
      if (k < genuine && byIdentity[identityOf[a]].length > 1) {
        int[] same = byIdentity[identityOf[a]];
        do {
          b = same[r.nextInt(same.length)];
        } while (b == a);
        lab[k] = true;
      } else {
        do {
          b = r.nextInt(templates);
        } while (identityOf[b] == identityOf[a]);
      }
      p1[k] = a;
      p2[k] = b;
    }
    out.printf("generate:                 %6.2f s%n", secs(t0));
    t0 = System.nanoTime();
    TemplatePooling.Templates pooled =
        TemplatePooling.pool(
            meta,
            feats,
            null,
            dim,
            det,
            new TemplatePooling.Options(false, true),
            io.qmargin.Progress.NONE);
    out.printf("template pooling:         %6.2f s  (%,d templates)%n", secs(t0), pooled.size());
    // synthetic template ids are 0..templates-1, so rows equal ids
    TemplatePairs tp = new TemplatePairs(p1, p2, lab);
    t0 = System.nanoTime();
    double[] s = tp.score(pooled, io.qmargin.Progress.NONE);
    double sc = secs(t0);
    out.printf(
        "pair scoring:             %6.2f s  (%.1f M pairs/s, %.1f GFLOP/s)%n",
        sc, pairs / sc / 1e6, 2.0 * pairs * dim / sc / 1e9);
    t0 = System.nanoTime();
    int ng = 0;
    for (boolean b : lab) {
      ng += b ? 1 : 0;
    }
    double[] tg = new double[ng];
    double[] im = new double[pairs - ng];
    int x = 0;
    int y = 0;
    for (int k = 0; k < pairs; k++) {
      if (lab[k]) {
        tg[x++] = s[k];
      } else {
        im[y++] = s[k];
      }
    }
    VerificationMetrics m = VerificationMetrics.computeInPlace(tg, im, MetricOptions.defaults());
    out.printf(
        "metrics:                  %6.2f s  (%,d genuine, %,d impostor; EER %s, TAR@1e-4 %s)%n",
        secs(t0),
        ng,
        pairs - ng,
        Numbers.percent(m.eer()),
        Numbers.percent(m.tarAtFar(1e-4).tar()));
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
