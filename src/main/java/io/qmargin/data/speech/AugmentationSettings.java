package io.qmargin.data.speech;

import io.qmargin.UserInputException;
import java.nio.file.Path;

/**
 * Waveform augmentation of training crops ({@link SpeechAugmentation}).
 *
 * <ul>
 *   <li>{@code noiseDir}: folder searched recursively for .wav/.flac/.ogg noise files
 *       (MUSAN-style); {@code noiseProbability}: chance that a crop gets noise; {@code
 *       snrLowDb}..{@code snrHighDb}: the range the signal-to-noise ratio is drawn from, uniformly,
 *       in dB.
 *   <li>{@code rirDir}: folder searched recursively for room impulse responses (RIR-style); {@code
 *       reverbProbability}: chance that a crop is reverberated.
 *   <li>{@code exclusive}: at most one of the two per crop (reverb with probability {@code
 *       reverbProbability}, else noise with probability {@code noiseProbability}; the two must then
 *       sum to at most 1), as wespeaker does; false: independent, reverb first then noise.
 * </ul>
 *
 * A folder may be null when its probability is 0. Invalid values are a {@link UserInputException}
 * naming the value.
 */
public record AugmentationSettings(
    Path noiseDir,
    double noiseProbability,
    double snrLowDb,
    double snrHighDb,
    Path rirDir,
    double reverbProbability,
    boolean exclusive) {

  /** wespeaker's SNR range for MUSAN "noise" (its music range is 5-15 dB, babble 13-20 dB). */
  public static final double DEFAULT_SNR_LOW = 0;

  public static final double DEFAULT_SNR_HIGH = 15;

  public AugmentationSettings {
    checkProbability("noise probability", noiseProbability);
    checkProbability("reverb probability", reverbProbability);
    if (!Double.isFinite(snrLowDb) || !Double.isFinite(snrHighDb)) {
      throw new UserInputException(
          "SNR range must be finite, got " + snrLowDb + " .. " + snrHighDb + " dB");
    }
    if (snrLowDb > snrHighDb) {
      throw new UserInputException(
          "SNR range is empty: low " + snrLowDb + " dB > high " + snrHighDb + " dB");
    }
    if (noiseProbability > 0 && noiseDir == null) {
      throw new UserInputException(
          "noise probability " + noiseProbability + " needs a noise folder");
    }
    if (reverbProbability > 0 && rirDir == null) {
      throw new UserInputException(
          "reverb probability " + reverbProbability + " needs a folder of room impulse responses");
    }
    if (exclusive && noiseProbability + reverbProbability > 1 + 1e-12) {
      throw new UserInputException(
          "with exclusive augmentation the noise and reverb probabilities must sum to at most 1, got "
              + noiseProbability
              + " + "
              + reverbProbability);
    }
  }

  private static void checkProbability(String what, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new UserInputException(what + " must be in [0, 1], got " + p);
    }
  }

  /** No augmentation. */
  public static AugmentationSettings none() {
    return new AugmentationSettings(null, 0, DEFAULT_SNR_LOW, DEFAULT_SNR_HIGH, null, 0, false);
  }

  /**
   * wespeaker's recipe: 60 % of crops augmented, half of them reverberated and half with noise
   * (exclusive, 0.3 each), SNR 0-15 dB.
   */
  public static AugmentationSettings wespeakerLike(Path noiseDir, Path rirDir) {
    return new AugmentationSettings(
        noiseDir, 0.3, DEFAULT_SNR_LOW, DEFAULT_SNR_HIGH, rirDir, 0.3, true);
  }

  public AugmentationSettings withNoise(
      Path dir, double probability, double snrLow, double snrHigh) {
    return new AugmentationSettings(
        dir, probability, snrLow, snrHigh, rirDir, reverbProbability, exclusive);
  }

  public AugmentationSettings withReverb(Path dir, double probability) {
    return new AugmentationSettings(
        noiseDir, noiseProbability, snrLowDb, snrHighDb, dir, probability, exclusive);
  }

  public AugmentationSettings withExclusive(boolean value) {
    return new AugmentationSettings(
        noiseDir, noiseProbability, snrLowDb, snrHighDb, rirDir, reverbProbability, value);
  }

  /** True when no crop is ever changed. */
  public boolean isNone() {
    return noiseProbability == 0 && reverbProbability == 0;
  }
}
