package io.qmargin.audio;

import io.qmargin.EnumWords;

/**
 * Cepstral mean (and optionally variance) normalisation of a feature matrix, per utterance or over
 * a sliding window of frames.
 *
 * <p>Per utterance: y[t] = x[t] - mean over all frames of x (what wespeaker and torchaudio's {@code
 * subtract_mean} do); with variance normalisation, y[t] /= std over all frames (floored at variance
 * 1e-10).
 *
 * <p>Sliding window: Kaldi's {@code apply-cmvn-sliding} ({@code SlidingWindowCmn}), with the same
 * window rules: for frame t, non-centred, the window is [t - cmn_window, t + 1), extended to the
 * right to at least {@code min_window} frames; centred, it is [t - cmn_window / 2, t - cmn_window/2
 * + cmn_window); either is shifted right where it starts before frame 0 and left where it ends past
 * the last frame, and clipped to the utterance. y[t] = x[t] - mean over the window (divided by the
 * window's standard deviation, floored at variance 1e-10, with normalize_variance; a one-frame
 * window then gives 0). Sums are in double precision, as in Kaldi.
 */
public final class CepstralMeanNormalization {
  private CepstralMeanNormalization() {}

  private static final double VARIANCE_FLOOR = 1e-10;

  /** Which normalisation to apply ({@code --cmn}), spelt in lower case as on the command line. */
  public enum Mode {
    /** The features as computed. */
    NONE,
    /** {@link #perUtterance}. */
    UTTERANCE,
    /** {@link #slidingWindow}, Kaldi's {@code apply-cmvn-sliding}. */
    SLIDING;

    @Override
    public String toString() {
      return EnumWords.word(this);
    }
  }

  /**
   * Options of the sliding window, Kaldi's names: {@code cmn_window} 600, {@code min_window} 100
   * (used only when not centred), {@code center} false, {@code norm_vars} false.
   */
  public record SlidingWindow(
      int cmnWindow, int minWindow, boolean center, boolean normalizeVariance) {
    public SlidingWindow {
      if (cmnWindow <= 0) {
        throw new IllegalArgumentException("cmn-window must be positive, got " + cmnWindow);
      }
      if (minWindow < 0) {
        throw new IllegalArgumentException("min-cmn-window must be >= 0, got " + minWindow);
      }
    }

    /** Kaldi's defaults: window 600 frames, min window 100, not centred, means only. */
    public static SlidingWindow kaldiDefaults() {
      return new SlidingWindow(600, 100, false, false);
    }
  }

  /** Subtracts each column's mean over the whole utterance (and divides by its std when asked). */
  public static FeatureMatrix perUtterance(FeatureMatrix x, boolean normalizeVariance) {
    int n = x.numFrames();
    int dim = x.dim();
    float[] v = x.values();
    float[] out = new float[v.length];
    if (n == 0) {
      return new FeatureMatrix(out, 0, dim);
    }
    double[] sum = new double[dim];
    double[] sumSq = new double[dim];
    for (int t = 0; t < n; t++) {
      for (int d = 0; d < dim; d++) {
        double e = v[t * dim + d];
        sum[d] += e;
        sumSq[d] += e * e;
      }
    }
    double[] mean = new double[dim];
    double[] invStd = new double[dim];
    for (int d = 0; d < dim; d++) {
      mean[d] = sum[d] / n;
      invStd[d] =
          normalizeVariance
              ? 1.0 / Math.sqrt(Math.max(sumSq[d] / n - mean[d] * mean[d], VARIANCE_FLOOR))
              : 1.0;
    }
    for (int t = 0; t < n; t++) {
      for (int d = 0; d < dim; d++) {
        out[t * dim + d] = (float) ((v[t * dim + d] - mean[d]) * invStd[d]);
      }
    }
    return new FeatureMatrix(out, n, dim);
  }

  /** Kaldi's sliding-window CMN ({@code apply-cmvn-sliding}). */
  public static FeatureMatrix slidingWindow(FeatureMatrix x, SlidingWindow opts) {
    int n = x.numFrames();
    int dim = x.dim();
    float[] v = x.values();
    float[] out = new float[v.length];
    // Prefix sums make every window's sum O(dim), whatever its length.
    double[] prefix = new double[(n + 1) * dim];
    double[] prefixSq = opts.normalizeVariance() ? new double[(n + 1) * dim] : null;
    for (int t = 0; t < n; t++) {
      for (int d = 0; d < dim; d++) {
        double e = v[t * dim + d];
        prefix[(t + 1) * dim + d] = prefix[t * dim + d] + e;
        if (prefixSq != null) {
          prefixSq[(t + 1) * dim + d] = prefixSq[t * dim + d] + e * e;
        }
      }
    }
    for (int t = 0; t < n; t++) {
      int start;
      int end;
      if (opts.center()) {
        start = t - opts.cmnWindow() / 2;
        end = start + opts.cmnWindow();
      } else {
        start = t - opts.cmnWindow();
        end = t + 1;
      }
      if (start < 0) {
        end -= start;
        start = 0;
      }
      if (!opts.center() && end > t) {
        end = Math.max(t + 1, opts.minWindow());
      }
      if (end > n) {
        start -= end - n;
        end = n;
        if (start < 0) {
          start = 0;
        }
      }
      int frames = end - start;
      for (int d = 0; d < dim; d++) {
        double sum = prefix[end * dim + d] - prefix[start * dim + d];
        double y = v[t * dim + d] - sum / frames;
        if (prefixSq != null) {
          if (frames == 1) {
            y = 0;
          } else {
            double sumSq = prefixSq[end * dim + d] - prefixSq[start * dim + d];
            double variance = sumSq / frames - (sum / frames) * (sum / frames);
            y /= Math.sqrt(Math.max(variance, VARIANCE_FLOOR));
          }
        }
        out[t * dim + d] = (float) y;
      }
    }
    return new FeatureMatrix(out, n, dim);
  }
}
