package io.qmargin.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.audio.CepstralMeanNormalization.SlidingWindow;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CepstralMeanNormalizationTest {

  private static FeatureMatrix random(int frames, int dim, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[frames * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextDouble() * 10 + (i % dim));
    }
    return new FeatureMatrix(v, frames, dim);
  }

  /** Kaldi's window rule for frame t, restated: returns {start, end}. */
  private static int[] kaldiWindow(int t, int n, SlidingWindow o) {
    int start = o.center() ? t - o.cmnWindow() / 2 : t - o.cmnWindow();
    int end = o.center() ? start + o.cmnWindow() : t + 1;
    if (start < 0) {
      end -= start;
      start = 0;
    }
    if (!o.center() && end > t) {
      end = Math.max(t + 1, o.minWindow());
    }
    if (end > n) {
      start = Math.max(0, start - (end - n));
      end = n;
    }
    return new int[] {start, end};
  }

  @ParameterizedTest
  @CsvSource({
    "50, 600, 100, false, false",
    "50, 600, 100, true, false",
    "900, 600, 100, false, false",
    "900, 600, 100, true, false",
    "300, 40, 10, false, true",
    "300, 41, 10, true, true",
    "1, 600, 100, false, true"
  })
  void slidingWindowMatchesADirectWindowMean(
      int frames, int window, int minWindow, boolean center, boolean normVars) {
    FeatureMatrix x = random(frames, 5, frames + window);
    SlidingWindow o = new SlidingWindow(window, minWindow, center, normVars);

    FeatureMatrix y = CepstralMeanNormalization.slidingWindow(x, o);

    for (int t = 0; t < frames; t++) {
      int[] w = kaldiWindow(t, frames, o);
      for (int d = 0; d < 5; d++) {
        double sum = 0;
        double sumSq = 0;
        for (int s = w[0]; s < w[1]; s++) {
          sum += x.get(s, d);
          sumSq += (double) x.get(s, d) * x.get(s, d);
        }
        int n = w[1] - w[0];
        double expected = x.get(t, d) - sum / n;
        if (normVars) {
          double var = sumSq / n - (sum / n) * (sum / n);
          expected = n == 1 ? 0 : expected / Math.sqrt(Math.max(var, 1e-10));
        }
        assertThat((double) y.get(t, d)).as("t=%d d=%d", t, d).isCloseTo(expected, within(1e-4));
      }
    }
  }

  @Test
  void kaldiWindowsAtTheEdges() {
    // Non-centred, window 600, min 100: frame 0 uses frames [0, 100); frame 700 uses [100, 701).
    assertThat(kaldiWindow(0, 1000, SlidingWindow.kaldiDefaults())).containsExactly(0, 100);
    assertThat(kaldiWindow(700, 1000, SlidingWindow.kaldiDefaults())).containsExactly(100, 701);
    // Centred, window 600: the window is shifted to stay inside the utterance.
    SlidingWindow centred = new SlidingWindow(600, 100, true, false);
    assertThat(kaldiWindow(0, 1000, centred)).containsExactly(0, 600);
    assertThat(kaldiWindow(500, 1000, centred)).containsExactly(200, 800);
    assertThat(kaldiWindow(990, 1000, centred)).containsExactly(400, 1000);
  }

  @Test
  void slidingWindowLongerThanTheUtteranceIsPerUtteranceMean() {
    FeatureMatrix x = random(80, 4, 1);
    FeatureMatrix sliding =
        CepstralMeanNormalization.slidingWindow(x, new SlidingWindow(600, 100, true, false));
    FeatureMatrix utterance = CepstralMeanNormalization.perUtterance(x, false);

    for (int i = 0; i < x.values().length; i++) {
      assertThat(sliding.values()[i]).isCloseTo(utterance.values()[i], within(1e-5f));
    }
  }

  @Test
  void perUtteranceMeansAreZeroAndVariancesOne() {
    FeatureMatrix x = random(200, 6, 2);

    FeatureMatrix mean = CepstralMeanNormalization.perUtterance(x, false);
    FeatureMatrix meanVar = CepstralMeanNormalization.perUtterance(x, true);

    for (int d = 0; d < 6; d++) {
      double m = 0;
      double m2 = 0;
      double v2 = 0;
      for (int t = 0; t < 200; t++) {
        m += mean.get(t, d) / 200.0;
        m2 += meanVar.get(t, d) / 200.0;
        v2 += (double) meanVar.get(t, d) * meanVar.get(t, d) / 200.0;
        assertThat(mean.get(t, d)).isCloseTo(x.get(t, d) - (float) columnMean(x, d), within(1e-4f));
      }
      assertThat(m).isCloseTo(0, within(1e-5));
      assertThat(m2).isCloseTo(0, within(1e-5));
      assertThat(v2).isCloseTo(1, within(1e-4));
    }
    assertThat(
            CepstralMeanNormalization.perUtterance(new FeatureMatrix(new float[0], 0, 6), false)
                .numFrames())
        .isZero();
  }

  private static double columnMean(FeatureMatrix x, int d) {
    double s = 0;
    for (int t = 0; t < x.numFrames(); t++) {
      s += x.get(t, d);
    }
    return s / x.numFrames();
  }
}
