package io.qmargin.eval.norm;

import io.qmargin.Progress;
import io.qmargin.eval.protocol.Embeddings;
import io.qmargin.eval.protocol.Vectors;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Cohort score normalisation of cosine scores. For a trial (e, t) with raw score s, let mu_x, sd_x
 * be the mean and (population) standard deviation of the cosine scores of x against the cohort:
 *
 * <ul>
 *   <li>Z-norm: s' = (s - mu_e) / sd_e (the enrolment side's impostor distribution);
 *   <li>T-norm: s' = (s - mu_t) / sd_t (the test side's);
 *   <li>S-norm: s' = ((s - mu_e) / sd_e + (s - mu_t) / sd_t) / 2, over the whole cohort;
 *   <li>AS-norm: as S-norm, but mu_x, sd_x are taken over the top-N cohort scores of x only (each
 *       side selects its own N closest cohort entries).
 * </ul>
 *
 * The cohort is a set of embeddings (e.g. mean embeddings of the training speakers). Statistics are
 * computed once per distinct embedding row used by the trials.
 */
public final class ScoreNormalization {
  private ScoreNormalization() {}

  /** The normalisation methods. */
  public enum Method {
    NONE,
    Z,
    T,
    S,
    AS;

    public static Method parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT).replace("-norm", "").replace("norm", "")) {
        case "none", "" -> NONE;
        case "z" -> Z;
        case "t" -> T;
        case "s" -> S;
        case "as" -> AS;
        default ->
            throw new IllegalArgumentException(
                "unknown score normalisation '" + s + "' (none, z, t, s, as)");
      };
    }
  }

  /**
   * @param topN cohort size of AS-norm (ignored by the others)
   */
  public record Config(Method method, int topN) {
    public Config {
      if (method == Method.AS && topN < 2) {
        throw new IllegalArgumentException("AS-norm needs top-N >= 2, got " + topN);
      }
    }
  }

  /**
   * Normalised scores.
   *
   * @param emb normalised embeddings the trials refer to
   * @param enroll enrolment row of each trial
   * @param test test row of each trial
   * @param scores raw cosine scores of the trials
   * @param cohort normalised cohort embeddings (same dimension)
   */
  public static double[] apply(
      Config config,
      Embeddings emb,
      int[] enroll,
      int[] test,
      double[] scores,
      Embeddings cohort,
      Progress progress) {
    if (config.method() == Method.NONE) {
      return scores.clone();
    }
    if (cohort.dim() != emb.dim()) {
      throw new io.qmargin.UserInputException(
          cohort.file()
              + ": cohort dimension "
              + cohort.dim()
              + " differs from the embeddings' "
              + emb.dim());
    }
    int topN =
        config.method() == Method.AS ? Math.min(config.topN(), cohort.size()) : cohort.size();
    if (topN < 2) {
      throw new io.qmargin.UserInputException(
          cohort.file() + ": a cohort of " + cohort.size() + " cannot give a standard deviation");
    }
    boolean needE = config.method() != Method.T;
    boolean needT = config.method() != Method.Z;
    boolean[] used = new boolean[emb.size()];
    for (int i = 0; i < enroll.length; i++) {
      if (needE) {
        used[enroll[i]] = true;
      }
      if (needT) {
        used[test[i]] = true;
      }
    }
    int[] rows = IntStream.range(0, used.length).filter(r -> used[r]).toArray();
    double[] mean = new double[emb.size()];
    double[] sd = new double[emb.size()];
    int c = cohort.size();
    try (Progress p = progress.start("cohort statistics", rows.length)) {
      IntStream.range(0, rows.length)
          .parallel()
          .forEach(
              k -> {
                int r = rows[k];
                double[] cs = new double[c];
                for (int j = 0; j < c; j++) {
                  cs[j] = Vectors.dot(emb.data(), r, cohort.data(), j, emb.dim());
                }
                if (topN < c) {
                  selectTop(cs, topN);
                }
                double m = 0;
                for (int j = 0; j < topN; j++) {
                  m += cs[j];
                }
                m /= topN;
                double v = 0;
                for (int j = 0; j < topN; j++) {
                  v += (cs[j] - m) * (cs[j] - m);
                }
                mean[r] = m;
                sd[r] = Math.sqrt(v / topN);
                p.step(1);
              });
    }
    double[] out = new double[scores.length];
    for (int i = 0; i < scores.length; i++) {
      double s = scores[i];
      double ze = needE ? (s - mean[enroll[i]]) / guard(sd[enroll[i]], emb, enroll[i]) : 0;
      double zt = needT ? (s - mean[test[i]]) / guard(sd[test[i]], emb, test[i]) : 0;
      out[i] =
          switch (config.method()) {
            case Z -> ze;
            case T -> zt;
            default -> 0.5 * (ze + zt);
          };
    }
    return out;
  }

  private static double guard(double sd, Embeddings emb, int row) {
    if (!(sd > 0)) {
      throw new io.qmargin.UserInputException(
          "'"
              + emb.keys()[row]
              + "' scores the same against every cohort entry: zero standard deviation");
    }
    return sd;
  }

  /** Moves the n largest values to a[0..n) (in no particular order): quickselect, O(length). */
  static void selectTop(double[] a, int n) {
    int lo = 0;
    int hi = a.length - 1;
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(n * 31L + a.length);
    while (lo < hi) {
      double pivot = a[lo + rnd.nextInt(hi - lo + 1)];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] > pivot) {
          i++;
        }
        while (a[j] < pivot) {
          j--;
        }
        if (i <= j) {
          double tmp = a[i];
          a[i] = a[j];
          a[j] = tmp;
          i++;
          j--;
        }
      }
      // now a[lo..j] >= pivot >= a[i..hi]
      if (n - 1 <= j) {
        hi = j;
      } else if (n - 1 >= i) {
        lo = i;
      } else {
        return;
      }
    }
  }
}
