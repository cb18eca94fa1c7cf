package io.qmargin.eval.norm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.Progress;
import io.qmargin.eval.protocol.Embeddings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScoreNormalizationTest {

  private static Embeddings random(SplittableRandom r, int n, int d, String prefix) {
    float[] f = new float[n * d];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextDouble(-1, 1);
    }
    String[] k = new String[n];
    for (int i = 0; i < n; i++) {
      k[i] = prefix + i;
    }
    return Embeddings.of(Path.of(prefix), k, f, d, prefix).normalized();
  }

  private static double[] cohortScores(Embeddings e, int row, Embeddings c) {
    double[] s = new double[c.size()];
    for (int j = 0; j < c.size(); j++) {
      double dot = 0;
      for (int k = 0; k < e.dim(); k++) {
        dot += (double) e.data()[row * e.dim() + k] * c.data()[j * c.dim() + k];
      }
      s[j] = dot;
    }
    return s;
  }

  /** {mean, population sd} of the n largest values. */
  private static double[] topStats(double[] s, int n) {
    double[] c = s.clone();
    Arrays.sort(c);
    double m = 0;
    for (int i = 0; i < n; i++) {
      m += c[c.length - 1 - i];
    }
    m /= n;
    double v = 0;
    for (int i = 0; i < n; i++) {
      v += Math.pow(c[c.length - 1 - i] - m, 2);
    }
    return new double[] {m, Math.sqrt(v / n)};
  }

  @Test
  void allMethodsMatchTheirFormulas() {
    SplittableRandom r = new SplittableRandom(11);
    Embeddings e = random(r, 6, 8, "e");
    Embeddings c = random(r, 40, 8, "c");
    int[] en = {0, 1, 2, 3};
    int[] te = {4, 5, 4, 0};
    double[] raw = {0.3, -0.1, 0.05, 0.7};
    for (ScoreNormalization.Method m : ScoreNormalization.Method.values()) {
      int topN = m == ScoreNormalization.Method.AS ? 7 : 40;
      double[] out =
          ScoreNormalization.apply(
              new ScoreNormalization.Config(m, topN), e, en, te, raw, c, Progress.NONE);
      for (int i = 0; i < raw.length; i++) {
        double[] se = topStats(cohortScores(e, en[i], c), topN);
        double[] st = topStats(cohortScores(e, te[i], c), topN);
        double ze = (raw[i] - se[0]) / se[1];
        double zt = (raw[i] - st[0]) / st[1];
        double expected =
            switch (m) {
              case NONE -> raw[i];
              case Z -> ze;
              case T -> zt;
              case S, AS -> (ze + zt) / 2;
            };
        assertThat(out[i]).as("%s trial %d", m, i).isCloseTo(expected, within(1e-5));
      }
    }
  }

  @Test
  void selectTopMovesTheLargestFirst() {
    SplittableRandom r = new SplittableRandom(2);
    for (int rep = 0; rep < 50; rep++) {
      double[] a = new double[1 + r.nextInt(100)];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextInt(10); // ties
      }
      int n = 1 + r.nextInt(a.length);
      double[] sorted = a.clone();
      Arrays.sort(sorted);
      ScoreNormalization.selectTop(a, n);
      double[] top = Arrays.copyOf(a, n);
      Arrays.sort(top);
      assertThat(top).containsExactly(Arrays.copyOfRange(sorted, sorted.length - n, sorted.length));
    }
  }
}
