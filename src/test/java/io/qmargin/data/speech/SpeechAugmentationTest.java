package io.qmargin.data.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpeechAugmentationTest {
  @TempDir Path tmp;

  private static final int RATE = 16000;

  private static double snrDb(float[] signal, float[] mixed) {
    float[] added = new float[signal.length];
    for (int i = 0; i < signal.length; i++) {
      added[i] = mixed[i] - signal[i];
    }
    return 10
        * Math.log10(SpeechAugmentation.meanSquare(signal) / SpeechAugmentation.meanSquare(added));
  }

  @Test
  void settingsAreValidatedWithTheValueInTheMessage() {
    Path dir = tmp;
    assertThatThrownBy(() -> AugmentationSettings.none().withNoise(dir, 1.5, 0, 15))
        .isInstanceOf(UserInputException.class)
        .hasMessage("noise probability must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> AugmentationSettings.none().withReverb(dir, -0.1))
        .isInstanceOf(UserInputException.class)
        .hasMessage("reverb probability must be in [0, 1], got -0.1");
    assertThatThrownBy(() -> AugmentationSettings.none().withNoise(dir, Double.NaN, 0, 15))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> AugmentationSettings.none().withNoise(dir, 0.5, 20, 5))
        .isInstanceOf(UserInputException.class)
        .hasMessage("SNR range is empty: low 20.0 dB > high 5.0 dB");
    assertThatThrownBy(() -> AugmentationSettings.none().withNoise(null, 0.5, 0, 15))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("needs a noise folder");
    assertThatThrownBy(() -> AugmentationSettings.none().withReverb(null, 0.5))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("room impulse responses");
    assertThatThrownBy(() -> AugmentationSettings.wespeakerLike(dir, dir).withReverb(dir, 0.8))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("sum to at most 1, got 0.3 + 0.8");
    assertThat(AugmentationSettings.none().isNone()).isTrue();
    assertThat(
            AugmentationSettings.wespeakerLike(dir, dir)
                .withExclusive(false)
                .withReverb(dir, 0.8)
                .isNone())
        .isFalse();
  }

  @Test
  void foldersMustExistAndHoldAudio() {
    assertThatThrownBy(
            () ->
                SpeechAugmentation.open(
                    AugmentationSettings.none().withNoise(tmp.resolve("musan"), 0.5, 0, 15),
                    RATE,
                    0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("musan: noise folder does not exist");
    assertThatThrownBy(
            () ->
                SpeechAugmentation.open(AugmentationSettings.none().withReverb(tmp, 0.5), RATE, 0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(tmp + ": no room impulse response files");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-5, 0, 7.3, 20, 40})
  void noiseIsAddedAtTheRequestedSnr(double snr) {
    float[] signal = TestWavs.signal(8000, RATE, 1);
    float[] noise = TestWavs.noise(8000, 0.3, 2);
    float[] mixed = SpeechAugmentation.addNoise(signal, noise, snr);
    assertThat(snrDb(signal, mixed)).isCloseTo(snr, within(0.1));
  }

  @Test
  void noiseFromAFolderHitsTheDrawnSnrAndIsDeterministic() throws IOException {
    TestWavs.write(
        tmp.resolve("musan/noise/free-sound/n1.wav"), TestWavs.noise(3 * RATE, 0.2, 3), RATE);
    TestWavs.write(
        tmp.resolve("musan/music/m1.wav"),
        TestWavs.signal(RATE / 2, RATE, 4),
        RATE); // shorter than the signal: repeated
    SpeechAugmentation fixed =
        SpeechAugmentation.open(
            AugmentationSettings.none().withNoise(tmp.resolve("musan"), 1, 7.5, 7.5),
            RATE,
            1 << 20);
    assertThat(fixed.noiseFiles()).hasSize(2);
    float[] signal = TestWavs.signal(RATE, RATE, 5);
    for (long seed = 0; seed < 6; seed++) {
      float[] mixed = fixed.apply(signal, new SplittableRandom(seed));
      assertThat(snrDb(signal, mixed)).isCloseTo(7.5, within(0.1));
    }

    SpeechAugmentation ranged =
        SpeechAugmentation.open(
            AugmentationSettings.none().withNoise(tmp.resolve("musan"), 1, 3, 12), RATE, 0);
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (long seed = 0; seed < 40; seed++) {
      double s = snrDb(signal, ranged.apply(signal, new SplittableRandom(seed)));
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    assertThat(min).isGreaterThan(3 - 0.1).isLessThan(5);
    assertThat(max).isLessThan(12 + 0.1).isGreaterThan(10);

    assertThat(ranged.apply(signal, new SplittableRandom(9)))
        .containsExactly(ranged.apply(signal, new SplittableRandom(9)));
    assertThat(ranged.apply(signal, new SplittableRandom(9)))
        .isNotEqualTo(ranged.apply(signal, new SplittableRandom(10)));
  }

  @Test
  void aUnitImpulseLeavesTheSignalUnchanged() throws IOException {
    float[] x = TestWavs.signal(4000, RATE, 6);
    assertThat(SpeechAugmentation.reverberate(x, new float[] {1f})).containsExactly(x);
    // Any gain is normalised away; so are trailing zeros.
    assertThat(SpeechAugmentation.reverberate(x, new float[] {0.25f, 0, 0, 0})).containsExactly(x);
    float[] longImpulse = new float[500]; // the FFT path
    longImpulse[0] = 0.5f;
    assertThat(SpeechAugmentation.reverberate(x, longImpulse)).containsExactly(x, within(1e-6f));

    TestWavs.write(tmp.resolve("rirs/room1/impulse.wav"), longImpulse, RATE);
    SpeechAugmentation aug =
        SpeechAugmentation.open(
            AugmentationSettings.none().withReverb(tmp.resolve("rirs"), 1), RATE, 0);
    assertThat(aug.apply(x, new SplittableRandom(1))).containsExactly(x, within(1e-6f));
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 300})
  void aDelayedImpulseDelaysTheSignal(int delay) {
    float[] x = TestWavs.signal(4000, RATE, 7);
    float[] rir = new float[delay + 20];
    rir[delay] = -0.7f; // unit energy after normalisation, sign kept
    float[] y = SpeechAugmentation.reverberate(x, rir);
    assertThat(y).hasSize(x.length);
    for (int t = 0; t < delay; t++) {
      assertThat(y[t]).isCloseTo(0f, within(1e-6f));
    }
    for (int t = delay; t < x.length; t++) {
      assertThat(y[t]).isCloseTo(-x[t - delay], within(1e-6f));
    }
  }

  @Test
  void fftAndDirectConvolutionAgree() {
    float[] x = TestWavs.signal(3000, RATE, 8);
    double[] h = new double[700];
    SplittableRandom rnd = new SplittableRandom(1);
    for (int k = 0; k < h.length; k++) {
      h[k] = Math.exp(-k / 150.0) * (rnd.nextDouble() - 0.5);
    }
    float[] direct = SpeechAugmentation.convolveDirect(x, h);
    float[] fft = SpeechAugmentation.convolveFft(x, h);
    assertThat(fft).containsExactly(direct, within(1e-5f));
    // A response longer than the signal: only its first x.length taps matter.
    float[] rir = new float[5000];
    rir[3] = 1;
    rir[4500] = 1;
    float[] y = SpeechAugmentation.reverberate(x, rir);
    assertThat(y[3]).isCloseTo((float) (x[0] / Math.sqrt(2)), within(1e-6f));
  }

  @Test
  void exclusiveModeAppliesAtMostOneAndRoughlyAtTheGivenRates() throws IOException {
    float[] delay = new float[11];
    delay[10] = 1;
    TestWavs.write(tmp.resolve("rir/d.wav"), delay, RATE);
    TestWavs.write(tmp.resolve("noise/n.wav"), TestWavs.noise(RATE, 0.2, 3), RATE);
    SpeechAugmentation aug =
        SpeechAugmentation.open(
            AugmentationSettings.wespeakerLike(tmp.resolve("noise"), tmp.resolve("rir")),
            RATE,
            1 << 20);
    float[] x = TestWavs.signal(2000, RATE, 9);
    int reverbed = 0;
    int noisy = 0;
    int trials = 2000;
    for (int i = 0; i < trials; i++) {
      float[] y = aug.apply(x, new SplittableRandom(i));
      boolean delayed = y[5] == 0f && y[10] == x[0];
      boolean unchanged = y == x;
      if (delayed) {
        reverbed++;
      } else if (!unchanged) {
        noisy++;
      }
    }
    assertThat(reverbed / (double) trials).isCloseTo(0.3, within(0.04));
    assertThat(noisy / (double) trials).isCloseTo(0.3, within(0.04));
  }
}
