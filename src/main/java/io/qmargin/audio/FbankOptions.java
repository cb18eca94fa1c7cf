package io.qmargin.audio;

/**
 * Options of {@link Fbank}, named after Kaldi's {@code compute-fbank-feats} options (Kaldi's
 * snake_case name in brackets) with Kaldi's defaults except where marked.
 *
 * <ul>
 *   <li>{@code sampleFrequency} [samp_freq / --sample-frequency] 16000 Hz.
 *   <li>{@code frameLengthMs} [frame_length] 25; {@code frameShiftMs} [frame_shift] 10. The frame
 *       is {@code (int)(samp_freq * 0.001 * frame_length)} samples, as in Kaldi.
 *   <li>{@code dither} [dither] <b>0 here; Kaldi's default is 1.0</b> (torchaudio's is 0). Features
 *       for verification are computed without dither so that they are reproducible; a nonzero
 *       dither adds Gaussian noise of that standard deviation (on the 16-bit scale) to each frame,
 *       drawn from a generator seeded with {@code ditherSeed} (qmargin's addition) so runs repeat.
 *   <li>{@code preemphasisCoefficient} [preemphasis_coefficient] 0.97.
 *   <li>{@code removeDcOffset} [remove_dc_offset] true.
 *   <li>{@code windowType} [window_type] povey; {@code blackmanCoeff} [blackman_coeff] 0.42.
 *   <li>{@code roundToPowerOfTwo} [round_to_power_of_two] true: the FFT size is the frame length
 *       rounded up to a power of two (400 -> 512), zero-padded.
 *   <li>{@code snipEdges} [snip_edges] true: only frames that fit in the signal; false: frames
 *       centred on multiples of the shift, the signal reflected at both ends.
 *   <li>{@code numMelBins} [num_mel_bins] <b>80 here; Kaldi's default is 23</b>. 80 is what
 *       speaker-verification recipes (wespeaker, 3D-Speaker) use.
 *   <li>{@code lowFreq} [low_freq] 20 Hz; {@code highFreq} [high_freq] 0 (a value &lt;= 0 is an
 *       offset from the Nyquist frequency).
 *   <li>{@code useEnergy} [use_energy] false; {@code rawEnergy} [raw_energy] true; {@code
 *       energyFloor} [energy_floor] 0 (Kaldi's current default; torchaudio's is 1.0; it only floors
 *       the energy coefficient); {@code htkCompat} [htk_compat] false (true puts the energy last).
 *   <li>{@code useLogFbank} [use_log_fbank] true; {@code usePower} [use_power] true.
 * </ul>
 *
 * VTLN warping is not supported (Kaldi's {@code vtln_warp} = 1.0).
 */
public record FbankOptions(
    double sampleFrequency,
    double frameLengthMs,
    double frameShiftMs,
    double dither,
    long ditherSeed,
    double preemphasisCoefficient,
    boolean removeDcOffset,
    WindowType windowType,
    double blackmanCoeff,
    boolean roundToPowerOfTwo,
    boolean snipEdges,
    int numMelBins,
    double lowFreq,
    double highFreq,
    boolean useEnergy,
    boolean rawEnergy,
    double energyFloor,
    boolean htkCompat,
    boolean useLogFbank,
    boolean usePower) {

  /**
   * Longest frame length and shift accepted, in ms: far beyond any speech front end, short of
   * absurd allocations.
   */
  public static final double MAX_FRAME_MS = 1000;

  public FbankOptions {
    // Messages name Kaldi's command-line options, which qmargin fbank shares.
    if (!(sampleFrequency >= AudioReader.MIN_SAMPLE_RATE
        && sampleFrequency <= AudioReader.MAX_SAMPLE_RATE)) {
      throw new IllegalArgumentException(
          "--sample-frequency must be in ["
              + AudioReader.MIN_SAMPLE_RATE
              + ", "
              + AudioReader.MAX_SAMPLE_RATE
              + "] Hz, got "
              + sampleFrequency);
    }
    if (windowType == null) {
      throw new IllegalArgumentException("--window-type must be set");
    }
    if (!(frameLengthMs > 0 && frameLengthMs <= MAX_FRAME_MS)) {
      throw new IllegalArgumentException(
          "--frame-length must be in (0, " + (int) MAX_FRAME_MS + "] ms, got " + frameLengthMs);
    }
    if (!(frameShiftMs > 0 && frameShiftMs <= MAX_FRAME_MS)) {
      throw new IllegalArgumentException(
          "--frame-shift must be in (0, " + (int) MAX_FRAME_MS + "] ms, got " + frameShiftMs);
    }
    int size = windowSize(sampleFrequency, frameLengthMs);
    int shift = windowSize(sampleFrequency, frameShiftMs);
    if (size < 2) {
      throw new IllegalArgumentException(
          "--frame-length "
              + frameLengthMs
              + " ms gives "
              + size
              + " samples at "
              + sampleFrequency
              + " Hz (at least 2 needed)");
    }
    if (shift < 1) {
      throw new IllegalArgumentException(
          "--frame-shift "
              + frameShiftMs
              + " ms gives "
              + shift
              + " samples at "
              + sampleFrequency
              + " Hz (at least 1 needed)");
    }
    int padded = roundToPowerOfTwo ? Integer.highestOneBit(size - 1) << 1 : size;
    if (padded % 2 != 0) {
      throw new IllegalArgumentException(
          "the FFT size "
              + padded
              + " must be even: use --round-to-power-of-two=true or change --frame-length");
    }
    if (!(dither >= 0 && dither < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("--dither must be a finite number >= 0, got " + dither);
    }
    if (!(preemphasisCoefficient >= 0 && preemphasisCoefficient <= 1)) {
      throw new IllegalArgumentException(
          "--preemphasis-coefficient must be in [0, 1], got " + preemphasisCoefficient);
    }
    if (!Double.isFinite(blackmanCoeff)) {
      throw new IllegalArgumentException(
          "--blackman-coeff must be a finite number, got " + blackmanCoeff);
    }
    if (numMelBins < 3 || numMelBins > padded / 2) {
      throw new IllegalArgumentException(
          "--num-mel-bins must be in [3, "
              + padded / 2
              + "] (at most one per FFT bin of the "
              + padded
              + "-point FFT), got "
              + numMelBins);
    }
    double high = highFreq > 0 ? highFreq : 0.5 * sampleFrequency + highFreq;
    if (!(lowFreq >= 0
        && lowFreq < sampleFrequency
        && high > 0
        && high <= sampleFrequency
        && high > lowFreq)) {
      throw new IllegalArgumentException(
          "bad values in options: --low-freq "
              + lowFreq
              + " and --high-freq "
              + highFreq
              + " (resolved to "
              + high
              + ") at sample frequency "
              + sampleFrequency);
    }
    if (!(energyFloor >= 0 && energyFloor < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(
          "--energy-floor must be a finite number >= 0, got " + energyFloor);
    }
  }

  /** qmargin's defaults (Kaldi's, except dither 0 and 80 mel bins). */
  public static FbankOptions defaults() {
    return builder().build();
  }

  /** Kaldi's own defaults of {@code compute-fbank-feats}: dither 1.0 and 23 mel bins. */
  public static FbankOptions kaldiDefaults() {
    return builder().dither(1.0).numMelBins(23).build();
  }

  /** Frame length in samples, {@code (int)(samp_freq * 0.001 * frame_length_ms)} like Kaldi. */
  public int windowSize() {
    return windowSize(sampleFrequency, frameLengthMs);
  }

  /** Frame shift in samples. */
  public int windowShift() {
    return windowSize(sampleFrequency, frameShiftMs);
  }

  /** FFT size: the frame length, rounded up to a power of two when {@code roundToPowerOfTwo}. */
  public int paddedWindowSize() {
    int size = windowSize();
    return roundToPowerOfTwo ? Integer.highestOneBit(size - 1) << 1 : size;
  }

  /** Upper edge of the mel filterbank in Hz, after resolving a value &lt;= 0 against Nyquist. */
  public double resolvedHighFreq() {
    return highFreq > 0 ? highFreq : 0.5 * sampleFrequency + highFreq;
  }

  /** Output columns: the mel bins plus one when {@code useEnergy}. */
  public int featureDim() {
    return numMelBins + (useEnergy ? 1 : 0);
  }

  private static int windowSize(double sampleFrequency, double ms) {
    // Same association as Kaldi's FrameExtractionOptions::WindowSize().
    return (int) (sampleFrequency * 0.001 * ms);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.sampleFrequency = sampleFrequency;
    b.frameLengthMs = frameLengthMs;
    b.frameShiftMs = frameShiftMs;
    b.dither = dither;
    b.ditherSeed = ditherSeed;
    b.preemphasisCoefficient = preemphasisCoefficient;
    b.removeDcOffset = removeDcOffset;
    b.windowType = windowType;
    b.blackmanCoeff = blackmanCoeff;
    b.roundToPowerOfTwo = roundToPowerOfTwo;
    b.snipEdges = snipEdges;
    b.numMelBins = numMelBins;
    b.lowFreq = lowFreq;
    b.highFreq = highFreq;
    b.useEnergy = useEnergy;
    b.rawEnergy = rawEnergy;
    b.energyFloor = energyFloor;
    b.htkCompat = htkCompat;
    b.useLogFbank = useLogFbank;
    b.usePower = usePower;
    return b;
  }

  /** Builds options from {@link #defaults()} by changing only what is set. */
  public static final class Builder {
    private double sampleFrequency = 16000;
    private double frameLengthMs = 25;
    private double frameShiftMs = 10;
    private double dither = 0;
    private long ditherSeed = 0;
    private double preemphasisCoefficient = 0.97;
    private boolean removeDcOffset = true;
    private WindowType windowType = WindowType.POVEY;
    private double blackmanCoeff = 0.42;
    private boolean roundToPowerOfTwo = true;
    private boolean snipEdges = true;
    private int numMelBins = 80;
    private double lowFreq = 20;
    private double highFreq = 0;
    private boolean useEnergy = false;
    private boolean rawEnergy = true;
    private double energyFloor = 0;
    private boolean htkCompat = false;
    private boolean useLogFbank = true;
    private boolean usePower = true;

    private Builder() {}

    public Builder sampleFrequency(double v) {
      sampleFrequency = v;
      return this;
    }

    public Builder frameLengthMs(double v) {
      frameLengthMs = v;
      return this;
    }

    public Builder frameShiftMs(double v) {
      frameShiftMs = v;
      return this;
    }

    public Builder dither(double v) {
      dither = v;
      return this;
    }

    public Builder ditherSeed(long v) {
      ditherSeed = v;
      return this;
    }

    public Builder preemphasisCoefficient(double v) {
      preemphasisCoefficient = v;
      return this;
    }

    public Builder removeDcOffset(boolean v) {
      removeDcOffset = v;
      return this;
    }

    public Builder windowType(WindowType v) {
      windowType = v;
      return this;
    }

    public Builder blackmanCoeff(double v) {
      blackmanCoeff = v;
      return this;
    }

    public Builder roundToPowerOfTwo(boolean v) {
      roundToPowerOfTwo = v;
      return this;
    }

    public Builder snipEdges(boolean v) {
      snipEdges = v;
      return this;
    }

    public Builder numMelBins(int v) {
      numMelBins = v;
      return this;
    }

    public Builder lowFreq(double v) {
      lowFreq = v;
      return this;
    }

    public Builder highFreq(double v) {
      highFreq = v;
      return this;
    }

    public Builder useEnergy(boolean v) {
      useEnergy = v;
      return this;
    }

    public Builder rawEnergy(boolean v) {
      rawEnergy = v;
      return this;
    }

    public Builder energyFloor(double v) {
      energyFloor = v;
      return this;
    }

    public Builder htkCompat(boolean v) {
      htkCompat = v;
      return this;
    }

    public Builder useLogFbank(boolean v) {
      useLogFbank = v;
      return this;
    }

    public Builder usePower(boolean v) {
      usePower = v;
      return this;
    }

    public FbankOptions build() {
      return new FbankOptions(
          sampleFrequency,
          frameLengthMs,
          frameShiftMs,
          dither,
          ditherSeed,
          preemphasisCoefficient,
          removeDcOffset,
          windowType,
          blackmanCoeff,
          roundToPowerOfTwo,
          snipEdges,
          numMelBins,
          lowFreq,
          highFreq,
          useEnergy,
          rawEnergy,
          energyFloor,
          htkCompat,
          useLogFbank,
          usePower);
    }
  }
}
