package io.qmargin.audio;

import java.util.Arrays;
import java.util.Random;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Log-mel filterbank features computed like Kaldi's {@code compute-fbank-feats} (and torchaudio's
 * {@code compliance.kaldi.fbank}, which copies it).
 *
 * <p>Input samples are on the 16-bit integer scale Kaldi reads WAV files at ({@link
 * #compute(Waveform)} multiplies [-1, 1] floats by 32768). For a frame length N (400 at 16 kHz, 25
 * ms), shift S (160, 10 ms) and FFT size K (N rounded up to a power of two, 512), frame f, in
 * Kaldi's order:
 *
 * <ol>
 *   <li>frame samples x[0..N): from f S with {@code snip_edges} (1 + (n - N) / S frames, none if n
 *       &lt; N), else from f S + S/2 - N/2, reflecting the signal at its ends ((n + S/2) / S
 *       frames), all integer division;
 *   <li>dither: x += dither * g, g standard Gaussian, when dither &gt; 0;
 *   <li>DC removal: x -= mean(x);
 *   <li>raw log energy (with use_energy, raw_energy): E = ln max(sum x^2, FLT_EPSILON);
 *   <li>pre-emphasis with coefficient c, from the end backwards: x[i] -= c x[i-1] for i &gt;= 1,
 *       then x[0] -= c x[0];
 *   <li>x *= window ({@link WindowType}), zero-padded to K (use_energy without raw_energy takes E
 *       here instead);
 *   <li>power spectrum P[k] = |FFT(x)[k]|^2, k = 0..K/2 (|.| instead with use_power = false);
 *   <li>mel energies M[b] = sum_k w_b[k] P[k] with Kaldi's triangular MelBanks: mel(f) = 1127 ln(1
 *       + f / 700); bin b spans mel points b, b+1, b+2 of num_bins + 2 equally spaced from
 *       mel(low_freq) to mel(high_freq); w_b[k] rises linearly in mel from 0 at the left point to 1
 *       at the centre and falls to 0 at the right, evaluated at the FFT bin centre frequency k *
 *       samp_freq / K, k &lt; K/2;
 *   <li>log: ln max(M[b], FLT_EPSILON) (so silence gives ln 2^-23 = -15.942385), with
 *       use_log_fbank;
 *   <li>energy E floored at ln(energy_floor) when energy_floor &gt; 0, placed first (last with
 *       htk_compat) when use_energy.
 * </ol>
 *
 * Arithmetic is in double precision (Kaldi uses float), which moves values by about 1e-6.
 * Thread-safe: the mel banks, window and FFT plan are read-only, scratch buffers are per call.
 */
public final class Fbank {
  /** {@code std::numeric_limits<float>::epsilon()}: Kaldi's floor before every log. */
  public static final double FLT_EPSILON = Math.ulp(1.0f);

  /** Waveform floats in [-1, 1] times this are on the 16-bit scale Kaldi computes features on. */
  public static final float SIXTEEN_BIT_SCALE = 32768f;

  private final FbankOptions options;
  private final int frameLength;
  private final int frameShift;
  private final int fftSize;
  private final double[] window;

  /** Per mel bin: index of its first FFT bin and its weights from there on. */
  private final int[] melFirstBin;

  private final double[][] melWeights;
  private final double[] melCentreFrequencies;
  private final DoubleFFT_1D fft;

  public Fbank(FbankOptions options) {
    this.options = options;
    this.frameLength = options.windowSize();
    this.frameShift = options.windowShift();
    this.fftSize = options.paddedWindowSize();
    this.window = options.windowType().coefficients(frameLength, options.blackmanCoeff());
    int bins = options.numMelBins();
    this.melFirstBin = new int[bins];
    this.melWeights = new double[bins][];
    this.melCentreFrequencies = new double[bins];
    buildMelBanks();
    this.fft = new DoubleFFT_1D(fftSize);
  }

  public FbankOptions options() {
    return options;
  }

  /** Kaldi's mel scale: 1127 ln(1 + f / 700). */
  public static double melScale(double hz) {
    return 1127.0 * Math.log(1.0 + hz / 700.0);
  }

  public static double inverseMelScale(double mel) {
    return 700.0 * (Math.exp(mel / 1127.0) - 1.0);
  }

  private void buildMelBanks() {
    int bins = options.numMelBins();
    int fftBins = fftSize / 2;
    double fftBinWidth = options.sampleFrequency() / fftSize;
    double melLow = melScale(options.lowFreq());
    double melHigh = melScale(options.resolvedHighFreq());
    // num_bins + 1 intervals: the outer triangles spread half a step beyond the centres.
    double melDelta = (melHigh - melLow) / (bins + 1);
    for (int b = 0; b < bins; b++) {
      double left = melLow + b * melDelta;
      double centre = melLow + (b + 1) * melDelta;
      double right = melLow + (b + 2) * melDelta;
      melCentreFrequencies[b] = inverseMelScale(centre);
      double[] weights = new double[fftBins];
      int first = -1;
      int last = -1;
      for (int k = 0; k < fftBins; k++) {
        double mel = melScale(fftBinWidth * k);
        if (mel > left && mel <= centre) {
          weights[k] = (mel - left) / (centre - left);
          if (first == -1) {
            first = k;
          }
          last = k;
        } else if (mel > centre && mel < right) {
          weights[k] = (right - mel) / (right - centre);
          if (first == -1) {
            first = k;
          }
          last = k;
        }
      }
      if (first == -1) {
        throw new IllegalArgumentException(
            "mel bin "
                + b
                + " of "
                + bins
                + " covers no FFT bin (FFT size "
                + fftSize
                + " at "
                + options.sampleFrequency()
                + " Hz): use fewer --num-mel-bins, a longer --frame-length or a higher --low-freq");
      }
      melFirstBin[b] = first;
      melWeights[b] = Arrays.copyOfRange(weights, first, last + 1);
    }
  }

  /** Centre frequency in Hz of each mel bin. */
  public double[] melCentreFrequencies() {
    return melCentreFrequencies.clone();
  }

  /** The weights of mel bin {@code bin} over FFT bins 0..K/2 (zero outside its triangle). */
  public double[] melBinWeights(int bin) {
    double[] full = new double[fftSize / 2 + 1];
    System.arraycopy(melWeights[bin], 0, full, melFirstBin[bin], melWeights[bin].length);
    return full;
  }

  /** Number of frames for {@code numSamples} input samples (Kaldi's NumFrames with flush). */
  public int numFrames(long numSamples) {
    long frames;
    if (options.snipEdges()) {
      frames = numSamples < frameLength ? 0 : 1 + (numSamples - frameLength) / frameShift;
    } else {
      frames = (numSamples + frameShift / 2) / frameShift;
    }
    if (frames > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many frames: " + frames);
    }
    return (int) frames;
  }

  /**
   * Index of the first sample of frame {@code f}; negative when it starts in the reflected part.
   */
  public long firstSampleOfFrame(int f) {
    if (options.snipEdges()) {
      return (long) f * frameShift;
    }
    return (long) f * frameShift + frameShift / 2 - frameLength / 2;
  }

  /**
   * Features of a mono waveform at the options' sample frequency: samples are scaled by 32768 to
   * the 16-bit range first. Resample and mix down before (see {@link AudioReader#readMono}).
   */
  public FeatureMatrix compute(Waveform wave) {
    if (wave.channels() != 1) {
      throw new IllegalArgumentException(
          "fbank needs mono audio, got " + wave.channels() + " channels (use Waveform.toMono())");
    }
    if (wave.sampleRate() != options.sampleFrequency()) {
      throw new IllegalArgumentException(
          "waveform at "
              + wave.sampleRate()
              + " Hz but sample-frequency is "
              + options.sampleFrequency()
              + " Hz (resample first, e.g. Resampler.resample)");
    }
    float[] x = wave.samples();
    float[] scaled = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      scaled[i] = x[i] * SIXTEEN_BIT_SCALE;
    }
    return compute(scaled);
  }

  /** Features of mono samples already on the 16-bit scale (what Kaldi reads from a 16-bit WAV). */
  public FeatureMatrix compute(float[] samples) {
    int frames = numFrames(samples.length);
    int dim = options.featureDim();
    float[] out = new float[frames * dim];
    double[] frame = new double[fftSize];
    double[] power = new double[fftSize / 2 + 1];
    Random dither = options.dither() > 0 ? new Random(options.ditherSeed()) : null;
    int melOffset = options.useEnergy() && !options.htkCompat() ? 1 : 0;
    int energyIndex = options.htkCompat() ? options.numMelBins() : 0;
    double logEnergyFloor =
        options.energyFloor() > 0 ? Math.log(options.energyFloor()) : Double.NEGATIVE_INFINITY;
    for (int f = 0; f < frames; f++) {
      double logEnergy = processFrame(samples, f, frame, dither);
      powerSpectrum(frame, power);
      int row = f * dim;
      for (int b = 0; b < melWeights.length; b++) {
        double[] w = melWeights[b];
        int first = melFirstBin[b];
        double sum = 0;
        for (int k = 0; k < w.length; k++) {
          sum += w[k] * power[first + k];
        }
        out[row + melOffset + b] =
            (float) (options.useLogFbank() ? Math.log(Math.max(sum, FLT_EPSILON)) : sum);
      }
      if (options.useEnergy()) {
        out[row + energyIndex] = (float) Math.max(logEnergy, logEnergyFloor);
      }
    }
    return new FeatureMatrix(out, frames, dim);
  }

  /**
   * Fills {@code frame} (length K) with frame {@code f} after dither, DC removal, pre-emphasis,
   * windowing and zero-padding; returns the log energy (NaN when use_energy is off).
   */
  double processFrame(float[] samples, int f, double[] frame, Random dither) {
    extractFrame(samples, f, frame);
    int n = frameLength;
    if (dither != null) {
      double d = options.dither();
      for (int i = 0; i < n; i++) {
        frame[i] += d * dither.nextGaussian();
      }
    }
    if (options.removeDcOffset()) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += frame[i];
      }
      mean /= n;
      for (int i = 0; i < n; i++) {
        frame[i] -= mean;
      }
    }
    double logEnergy = Double.NaN;
    if (options.useEnergy() && options.rawEnergy()) {
      logEnergy = logEnergy(frame, n);
    }
    double c = options.preemphasisCoefficient();
    if (c != 0) {
      for (int i = n - 1; i > 0; i--) {
        frame[i] -= c * frame[i - 1];
      }
      frame[0] -= c * frame[0];
    }
    for (int i = 0; i < n; i++) {
      frame[i] *= window[i];
    }
    Arrays.fill(frame, n, fftSize, 0.0);
    if (options.useEnergy() && !options.rawEnergy()) {
      logEnergy = logEnergy(frame, fftSize);
    }
    return logEnergy;
  }

  private static double logEnergy(double[] x, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += x[i] * x[i];
    }
    return Math.log(Math.max(sum, FLT_EPSILON));
  }

  /**
   * Copies the raw samples of frame f, reflecting at the signal's ends like Kaldi's ExtractWindow.
   */
  private void extractFrame(float[] samples, int f, double[] frame) {
    long start = firstSampleOfFrame(f);
    int n = samples.length;
    if (start >= 0 && start + frameLength <= n) {
      int s = (int) start;
      for (int i = 0; i < frameLength; i++) {
        frame[i] = samples[s + i];
      }
      return;
    }
    for (int i = 0; i < frameLength; i++) {
      long j = start + i;
      // Reflect around the ends (-1 -> 0, n -> n - 1), repeatedly for very short signals.
      while (j < 0 || j >= n) {
        j = j < 0 ? -j - 1 : 2L * n - 1 - j;
      }
      frame[i] = samples[(int) j];
    }
  }

  /** In-place real FFT of {@code frame}, then |X[k]|^2 (or |X[k]|) into {@code power}[0..K/2]. */
  private void powerSpectrum(double[] frame, double[] power) {
    fft.realForward(frame);
    int half = fftSize / 2;
    // JTransforms packs X[0] and X[K/2] (both real) into frame[0] and frame[1].
    power[0] = frame[0] * frame[0];
    power[half] = frame[1] * frame[1];
    for (int k = 1; k < half; k++) {
      double re = frame[2 * k];
      double im = frame[2 * k + 1];
      power[k] = re * re + im * im;
    }
    if (!options.usePower()) {
      for (int k = 0; k <= half; k++) {
        power[k] = Math.sqrt(power[k]);
      }
    }
  }
}
