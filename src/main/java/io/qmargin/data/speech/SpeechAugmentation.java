package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Additive noise and reverberation of waveforms, as in wespeaker's and Kaldi's speaker recipes.
 *
 * <p><b>Noise</b>: a noise file is drawn uniformly from the noise folder, decoded as mono at the
 * model's sample rate, and a piece as long as the waveform is taken at a uniformly random offset (a
 * shorter file is repeated from its start). The SNR s is drawn uniformly from [snrLow, snrHigh] dB
 * and the noise scaled so that 10 log10(P_signal / P_noise) = s exactly, with P the mean square
 * over the whole piece (silences included, like wespeaker; without its +1e-4 guard, so the SNR is
 * exact; a silent signal or noise adds nothing).
 *
 * <p><b>Reverberation</b>: an impulse response h is drawn from the RIR folder, decoded likewise,
 * normalised to unit energy (h / sqrt(sum h^2), as wespeaker does), and the waveform replaced by
 * the first n samples of the full convolution x * h (so a response that starts with a delay delays
 * the signal: it is not aligned on its direct-path peak). Long responses are convolved by FFT
 * (JTransforms), short ones (at most {@value #DIRECT_TAPS} taps) directly.
 *
 * <p>No peak normalisation follows (wespeaker rescales to [-1, 1] to write 16-bit audio): features
 * are computed from floats and the per-utterance mean normalisation removes a constant gain.
 *
 * <p>The random choices come only from the generator passed to {@link #apply}, so they are
 * deterministic given (seed, epoch, index) when the caller seeds it that way. Thread-safe.
 */
public final class SpeechAugmentation {
  static final int DIRECT_TAPS = 64;

  private final AugmentationSettings settings;
  private final int sampleRate;
  private final List<Path> noises;
  private final List<Path> rirs;
  private final WaveformCache cache;
  private static final ConcurrentHashMap<Integer, DoubleFFT_1D> FFTS = new ConcurrentHashMap<>();

  private SpeechAugmentation(
      AugmentationSettings settings,
      int sampleRate,
      List<Path> noises,
      List<Path> rirs,
      WaveformCache cache) {
    this.settings = settings;
    this.sampleRate = sampleRate;
    this.noises = noises;
    this.rirs = rirs;
    this.cache = cache;
  }

  /**
   * Lists the noise and RIR files (an error names a folder that is missing or has no audio) and
   * keeps up to {@code cacheBytes} of their decoded samples in memory.
   */
  public static SpeechAugmentation open(
      AugmentationSettings settings, int sampleRate, long cacheBytes) {
    List<Path> noises =
        settings.noiseProbability() > 0 ? audioIn(settings.noiseDir(), "noise") : List.of();
    List<Path> rirs =
        settings.reverbProbability() > 0
            ? audioIn(settings.rirDir(), "room impulse response")
            : List.of();
    return new SpeechAugmentation(
        settings, sampleRate, noises, rirs, new WaveformCache(sampleRate, cacheBytes));
  }

  private static List<Path> audioIn(Path dir, String what) {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(dir + ": " + what + " folder does not exist");
    }
    List<Path> files = AudioFiles.walk(dir).stream().filter(AudioFiles::isAudio).toList();
    if (files.isEmpty()) {
      throw new UserInputException(
          dir + ": no " + what + " files (.wav, .flac, .ogg) in the folder or below");
    }
    return files;
  }

  public AugmentationSettings settings() {
    return settings;
  }

  public int sampleRate() {
    return sampleRate;
  }

  public List<Path> noiseFiles() {
    return noises;
  }

  /**
   * The augmented waveform (a new array; {@code wave} itself when nothing is applied). Draws from
   * {@code rnd}: one uniform for the reverb decision, one for the noise decision (only the first
   * when exclusive), then the RIR, then the noise file, offset and SNR. Decoding errors of a noise
   * or RIR file propagate (their messages name the file).
   */
  public float[] apply(float[] wave, SplittableRandom rnd) {
    boolean reverb;
    boolean noise;
    double u = rnd.nextDouble();
    if (settings.exclusive()) {
      reverb = u < settings.reverbProbability();
      noise = !reverb && u < settings.reverbProbability() + settings.noiseProbability();
    } else {
      reverb = u < settings.reverbProbability();
      noise = rnd.nextDouble() < settings.noiseProbability();
    }
    float[] out = wave;
    if (reverb) {
      float[] rir = cache.get(rirs.get(rnd.nextInt(rirs.size())));
      out = reverberate(out, rir);
    }
    if (noise && out.length > 0) {
      float[] file = cache.get(noises.get(rnd.nextInt(noises.size())));
      int start = file.length > out.length ? rnd.nextInt(file.length - out.length + 1) : 0;
      double snr =
          settings.snrLowDb() + (settings.snrHighDb() - settings.snrLowDb()) * rnd.nextDouble();
      if (file.length > 0) {
        out = addNoise(out, Chunks.chunk(file, start, out.length), snr);
      }
    }
    return out;
  }

  /**
   * {@code signal + g noise} with g chosen so that the SNR is {@code snrDb}: mean squares over the
   * whole arrays, which must have the same length. A silent signal or noise gives a copy of the
   * signal.
   */
  public static float[] addNoise(float[] signal, float[] noise, double snrDb) {
    if (noise.length != signal.length) {
      throw new IllegalArgumentException(
          "noise has " + noise.length + " samples, signal " + signal.length);
    }
    double ps = meanSquare(signal);
    double pn = meanSquare(noise);
    float[] out = signal.clone();
    if (ps == 0 || pn == 0) {
      return out;
    }
    double gain = Math.sqrt(ps / (pn * Math.pow(10, snrDb / 10)));
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (signal[i] + gain * noise[i]);
    }
    return out;
  }

  static double meanSquare(float[] x) {
    double s = 0;
    for (float v : x) {
      s += (double) v * v;
    }
    return x.length == 0 ? 0 : s / x.length;
  }

  /**
   * The first {@code x.length} samples of x convolved with {@code rir} normalised to unit energy. A
   * silent response gives a copy of x.
   */
  public static float[] reverberate(float[] x, float[] rir) {
    double energy = 0;
    for (float v : rir) {
      energy += (double) v * v;
    }
    if (energy == 0 || x.length == 0) {
      return x.clone();
    }
    double norm = 1 / Math.sqrt(energy);
    // Taps beyond x.length cannot reach the first x.length outputs.
    int m = Math.min(rir.length, x.length);
    double[] h = new double[m];
    for (int k = 0; k < m; k++) {
      h[k] = rir[k] * norm;
    }
    return m <= DIRECT_TAPS ? convolveDirect(x, h) : convolveFft(x, h);
  }

  static float[] convolveDirect(float[] x, double[] h) {
    float[] y = new float[x.length];
    for (int t = 0; t < x.length; t++) {
      double s = 0;
      int kMax = Math.min(h.length - 1, t);
      for (int k = 0; k <= kMax; k++) {
        s += h[k] * x[t - k];
      }
      y[t] = (float) s;
    }
    return y;
  }

  static float[] convolveFft(float[] x, double[] h) {
    int n = x.length;
    int size = Integer.highestOneBit(Math.max(1, n + h.length - 2)) << 1;
    double[] a = new double[size];
    double[] b = new double[size];
    for (int i = 0; i < n; i++) {
      a[i] = x[i];
    }
    System.arraycopy(h, 0, b, 0, h.length);
    DoubleFFT_1D fft = FFTS.computeIfAbsent(size, DoubleFFT_1D::new);
    fft.realForward(a);
    fft.realForward(b);
    // Packed layout of realForward (even size): a[0] = Re X0, a[1] = Re X(size/2), then (Re, Im)
    // pairs.
    a[0] *= b[0];
    a[1] *= b[1];
    for (int k = 2; k < size; k += 2) {
      double re = a[k] * b[k] - a[k + 1] * b[k + 1];
      double im = a[k] * b[k + 1] + a[k + 1] * b[k];
      a[k] = re;
      a[k + 1] = im;
    }
    fft.realInverse(a, true);
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = (float) a[i];
    }
    return y;
  }
}
