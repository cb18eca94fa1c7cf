package io.qmargin.cli;

import io.qmargin.UserInputException;
import io.qmargin.audio.AudioReader;
import io.qmargin.audio.CepstralMeanNormalization;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.audio.Resampler;
import io.qmargin.audio.Waveform;
import io.qmargin.audio.WindowType;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin fbank}: Kaldi-compatible log-mel filterbank features of one audio file, as .npy.
 */
@Command(
    name = "fbank",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Computes log-mel filterbank features like Kaldi's compute-fbank-feats and writes the "
            + "(frames, bins) float32 matrix as .npy. Samples are scaled to the 16-bit range whatever "
            + "the file's bit depth, and channels are averaged (or one is chosen with --channel). Audio at "
            + "another rate than --sample-frequency is refused, as by Kaldi, unless --allow-upsample=true "
            + "or --allow-downsample=true allows resampling it. Options keep Kaldi's names; "
            + "defaults are Kaldi's except --dither 0 (Kaldi 1) and --num-mel-bins 80 (Kaldi 23). "
            + "Booleans take a value, as in Kaldi: --snip-edges=false.")
public final class FbankCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IN", description = "Audio file: WAV, FLAC or Ogg Vorbis.")
  Path input;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "F.npy",
      description = "Output .npy (float32, frames x bins).")
  Path output;

  @Option(
      names = "--sample-frequency",
      paramLabel = "HZ",
      description =
          "Feature sample rate; the file must be at this rate unless resampling is allowed (default: ${DEFAULT-VALUE}).")
  double sampleFrequency = 16000;

  @Option(
      names = "--allow-upsample",
      arity = "1",
      paramLabel = "BOOL",
      description =
          "Resample a file below --sample-frequency up to it (default: ${DEFAULT-VALUE}).")
  boolean allowUpsample = false;

  @Option(
      names = "--allow-downsample",
      arity = "1",
      paramLabel = "BOOL",
      description =
          "Resample a file above --sample-frequency down to it (default: ${DEFAULT-VALUE}).")
  boolean allowDownsample = false;

  @Option(
      names = "--frame-length",
      paramLabel = "MS",
      description = "Frame length in ms (default: ${DEFAULT-VALUE}).")
  double frameLength = 25;

  @Option(
      names = "--frame-shift",
      paramLabel = "MS",
      description = "Frame shift in ms (default: ${DEFAULT-VALUE}).")
  double frameShift = 10;

  @Option(
      names = "--num-mel-bins",
      paramLabel = "N",
      description = "Number of triangular mel bins (default: ${DEFAULT-VALUE}; Kaldi: 23).")
  int numMelBins = 80;

  @Option(
      names = "--low-freq",
      paramLabel = "HZ",
      description = "Low cutoff of the mel bins (default: ${DEFAULT-VALUE}).")
  double lowFreq = 20;

  @Option(
      names = "--high-freq",
      paramLabel = "HZ",
      description = "High cutoff; <= 0 is an offset from Nyquist (default: ${DEFAULT-VALUE}).")
  double highFreq = 0;

  @Option(
      names = "--window-type",
      paramLabel = "TYPE",
      description =
          "hanning, hamming, povey, rectangular, blackman or sine (default: ${DEFAULT-VALUE}).")
  String windowType = "povey";

  @Option(
      names = "--blackman-coeff",
      paramLabel = "B",
      description = "Constant of the generalised Blackman window (default: ${DEFAULT-VALUE}).")
  double blackmanCoeff = 0.42;

  @Option(
      names = "--dither",
      paramLabel = "D",
      description = "Dithering constant, 0 = none (default: ${DEFAULT-VALUE}; Kaldi: 1).")
  double dither = 0;

  @Option(
      names = "--dither-seed",
      paramLabel = "SEED",
      description = "Seed of the dither noise (qmargin's addition; default: ${DEFAULT-VALUE}).")
  long ditherSeed = 0;

  @Option(
      names = "--preemphasis-coefficient",
      paramLabel = "C",
      description = "Pre-emphasis coefficient (default: ${DEFAULT-VALUE}).")
  double preemphasisCoefficient = 0.97;

  @Option(
      names = "--remove-dc-offset",
      arity = "1",
      paramLabel = "BOOL",
      description = "Subtract each frame's mean (default: ${DEFAULT-VALUE}).")
  boolean removeDcOffset = true;

  @Option(
      names = "--round-to-power-of-two",
      arity = "1",
      paramLabel = "BOOL",
      description = "Zero-pad frames to a power-of-two FFT size (default: ${DEFAULT-VALUE}).")
  boolean roundToPowerOfTwo = true;

  @Option(
      names = "--snip-edges",
      arity = "1",
      paramLabel = "BOOL",
      description =
          "Only frames that fit in the signal; false reflects at the ends (default: ${DEFAULT-VALUE}).")
  boolean snipEdges = true;

  @Option(
      names = "--use-energy",
      arity = "1",
      paramLabel = "BOOL",
      description = "Add the log energy as an extra column (default: ${DEFAULT-VALUE}).")
  boolean useEnergy = false;

  @Option(
      names = "--raw-energy",
      arity = "1",
      paramLabel = "BOOL",
      description = "Energy before pre-emphasis and window (default: ${DEFAULT-VALUE}).")
  boolean rawEnergy = true;

  @Option(
      names = "--energy-floor",
      paramLabel = "E",
      description = "Floor on the energy column, 0 = none (default: ${DEFAULT-VALUE}).")
  double energyFloor = 0;

  @Option(
      names = "--htk-compat",
      arity = "1",
      paramLabel = "BOOL",
      description = "Put the energy last instead of first (default: ${DEFAULT-VALUE}).")
  boolean htkCompat = false;

  @Option(
      names = "--use-log-fbank",
      arity = "1",
      paramLabel = "BOOL",
      description = "Log of the mel energies (default: ${DEFAULT-VALUE}).")
  boolean useLogFbank = true;

  @Option(
      names = "--use-power",
      arity = "1",
      paramLabel = "BOOL",
      description = "Power spectrum; false uses the magnitude (default: ${DEFAULT-VALUE}).")
  boolean usePower = true;

  @Option(
      names = "--channel",
      paramLabel = "C",
      description =
          "Channel to use (0-based); -1 averages all channels (default: ${DEFAULT-VALUE}; Kaldi's -1 takes channel 0).")
  int channel = -1;

  @Option(
      names = "--resample-filter",
      paramLabel = "NAME",
      description =
          "Resampling low-pass: default (torchaudio's sinc_interp_hann, width 6) or kaiser-best (default: ${DEFAULT-VALUE}).")
  String resampleFilter = "default";

  @Option(
      names = "--cmn",
      paramLabel = "MODE",
      converter = CmnModes.class,
      description =
          "Mean normalisation: ${COMPLETION-CANDIDATES} (sliding: Kaldi's apply-cmvn-sliding) (default: ${DEFAULT-VALUE}).")
  CepstralMeanNormalization.Mode cmn = CepstralMeanNormalization.Mode.NONE;

  @Option(
      names = "--cmn-window",
      paramLabel = "FRAMES",
      description = "Sliding CMN window in frames (default: ${DEFAULT-VALUE}).")
  int cmnWindow = 600;

  @Option(
      names = "--min-cmn-window",
      paramLabel = "FRAMES",
      description = "Minimum sliding window when not centred (default: ${DEFAULT-VALUE}).")
  int minCmnWindow = 100;

  @Option(
      names = "--center",
      arity = "1",
      paramLabel = "BOOL",
      description = "Centre the sliding CMN window on the frame (default: ${DEFAULT-VALUE}).")
  boolean center = false;

  @Option(
      names = "--norm-vars",
      arity = "1",
      paramLabel = "BOOL",
      description = "Also normalise variance in CMN (default: ${DEFAULT-VALUE}).")
  boolean normVars = false;

  @Override
  public Integer call() throws IOException {
    // the library checks the values (IllegalArgumentException naming the option): a user error here
    FbankOptions options =
        UserInputException.whenInvalid(
            () ->
                FbankOptions.builder()
                    .sampleFrequency(sampleFrequency)
                    .frameLengthMs(frameLength)
                    .frameShiftMs(frameShift)
                    .numMelBins(numMelBins)
                    .lowFreq(lowFreq)
                    .highFreq(highFreq)
                    .windowType(WindowType.parse(windowType))
                    .blackmanCoeff(blackmanCoeff)
                    .dither(dither)
                    .ditherSeed(ditherSeed)
                    .preemphasisCoefficient(preemphasisCoefficient)
                    .removeDcOffset(removeDcOffset)
                    .roundToPowerOfTwo(roundToPowerOfTwo)
                    .snipEdges(snipEdges)
                    .useEnergy(useEnergy)
                    .rawEnergy(rawEnergy)
                    .energyFloor(energyFloor)
                    .htkCompat(htkCompat)
                    .useLogFbank(useLogFbank)
                    .usePower(usePower)
                    .build());
    UserInputException.whenInvalid(
        () -> Resampler.Filter.parse(resampleFilter)); // fail on a bad name before reading the file
    if (sampleFrequency != Math.rint(sampleFrequency)) {
      throw new UserInputException(
          "--sample-frequency must be a whole number of Hz, got " + sampleFrequency);
    }
    int rate = (int) sampleFrequency;

    Waveform wave = AudioReader.read(input);
    if (channel >= wave.channels()) {
      throw new UserInputException(
          input
              + ": --channel "
              + channel
              + " but the file has "
              + wave.channels()
              + " channel(s)");
    }
    Waveform mono =
        channel < 0 ? wave.toMono() : new Waveform(wave.channel(channel), wave.sampleRate(), 1);
    if (mono.sampleRate() != rate) {
      checkResamplingAllowed(mono.sampleRate(), rate);
      spec.commandLine()
          .getErr()
          .printf(
              "qmargin fbank: %s is at %d Hz; resampling to %d Hz (%s filter)%n",
              input, mono.sampleRate(), rate, resampleFilter);
      mono = Resampler.resample(mono, rate, Resampler.Filter.parse(resampleFilter));
    }
    Fbank fbank = UserInputException.whenInvalid(() -> new Fbank(options));
    FeatureMatrix features = fbank.compute(mono);
    if (features.numFrames() == 0) {
      throw new UserInputException(
          input
              + ": too short for one frame ("
              + mono.numFrames()
              + " samples at "
              + rate
              + " Hz, frame length "
              + options.windowSize()
              + " samples)");
    }
    features =
        switch (cmn) {
          case UTTERANCE -> CepstralMeanNormalization.perUtterance(features, normVars);
          case SLIDING ->
              CepstralMeanNormalization.slidingWindow(
                  features,
                  new CepstralMeanNormalization.SlidingWindow(
                      cmnWindow, minCmnWindow, center, normVars));
          case NONE -> features;
        };
    Npy.writeFloat32(output, features.values(), features.numFrames(), features.dim());
    spec.commandLine()
        .getErr()
        .printf(
            "qmargin fbank: %s: %.3f s, %d channel(s) -> %s (%d x %d)%n",
            input,
            wave.durationSeconds(),
            wave.channels(),
            output,
            features.numFrames(),
            features.dim());
    return 0;
  }

  /**
   * Kaldi's rule (OfflineFeatureTpl::ComputeFeatures): a rate mismatch is an error unless
   * resampling that way is allowed.
   */
  private void checkResamplingAllowed(int fileRate, int featureRate) {
    boolean up = fileRate < featureRate;
    if (up ? !allowUpsample : !allowDownsample) {
      String option = up ? "--allow-upsample=true" : "--allow-downsample=true";
      throw new UserInputException(
          input
              + ": the audio is at "
              + fileRate
              + " Hz but --sample-frequency is "
              + featureRate
              + " Hz; pass --sample-frequency="
              + fileRate
              + " to use the file's rate, or "
              + option
              + " to "
              + (up ? "upsample" : "downsample")
              + " it");
    }
  }

  static final class CmnModes extends EnumWordConverter<CepstralMeanNormalization.Mode> {
    CmnModes() {
      super(CepstralMeanNormalization.Mode.class);
    }
  }
}
