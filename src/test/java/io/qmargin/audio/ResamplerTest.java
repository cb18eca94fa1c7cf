package io.qmargin.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {

  /** torchaudio's sinc_interp_hann kernel summed directly, one output sample at a time. */
  private static double directOutput(float[] x, int inRate, int outRate, int j) {
    return directOutput(x, inRate, outRate, j, Resampler.Filter.TORCHAUDIO_DEFAULT);
  }

  /**
   * I0 by numerical integration of its integral form, independent of the power series in Resampler.
   */
  private static double i0(double x) {
    int n = 1000; // the integrand is smooth and periodic: the midpoint rule converges fast
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += Math.exp(x * Math.cos(Math.PI * (k + 0.5) / n));
    }
    return sum / n;
  }

  private static double directOutput(
      float[] x, int inRate, int outRate, int j, Resampler.Filter filter) {
    int g =
        java.math.BigInteger.valueOf(inRate).gcd(java.math.BigInteger.valueOf(outRate)).intValue();
    int orig = inRate / g;
    int neu = outRate / g;
    int w = filter.lowpassFilterWidth();
    double base = filter.rolloff() * Math.min(orig, neu);
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double t = base * ((double) i / orig - (double) j / neu);
      t = Math.max(-w, Math.min(w, t));
      double window =
          filter.kaiser()
              ? i0(filter.beta() * Math.sqrt(1 - (t / w) * (t / w))) / i0(filter.beta())
              : Math.pow(Math.cos(t * Math.PI / w / 2), 2);
      double sinc = t == 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      sum += x[i] * sinc * window * base / orig;
    }
    return sum;
  }

  @ParameterizedTest
  @CsvSource({
    "8000,16000",
    "16000,8000",
    "44100,16000",
    "22050,16000",
    "48000,16000",
    "16000,44100",
    "11025,16000"
  })
  void matchesTheWindowedSincFormulaSampleBySample(int inRate, int outRate) {
    SplittableRandom rng = new SplittableRandom(inRate * 31L + outRate);
    float[] x = new float[300];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    Resampler r = new Resampler(inRate, outRate);
    float[] y = r.resample(x);

    assertThat(y).hasSize((int) Math.ceil(x.length * (double) outRate / inRate));
    for (int j :
        new int[] {0, 1, 2, 7, y.length / 2, y.length / 2 + 1, y.length - 2, y.length - 1}) {
      assertThat((double) y[j])
          .as("output %d", j)
          .isCloseTo(directOutput(x, inRate, outRate, j), within(2e-6));
    }
  }

  @ParameterizedTest
  @CsvSource({"8000,16000", "44100,16000", "16000,22050"})
  void kaiserBestMatchesItsFormulaToo(int inRate, int outRate) {
    SplittableRandom rng = new SplittableRandom(inRate + outRate);
    float[] x = new float[400];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[] y = new Resampler(inRate, outRate, Resampler.Filter.KAISER_BEST).resample(x);

    for (int j : new int[] {0, 3, y.length / 3, y.length - 1}) {
      assertThat((double) y[j])
          .as("output %d", j)
          .isCloseTo(
              directOutput(x, inRate, outRate, j, Resampler.Filter.KAISER_BEST), within(2e-5));
    }
    assertThat(Resampler.besselI0(0)).isEqualTo(1.0);
    assertThat(Resampler.besselI0(14.769656459379492))
        .isCloseTo(i0(14.769656459379492), within(1e-6 * i0(14.769656459379492)));
  }

  @ParameterizedTest
  @CsvSource({"44100,16000", "8000,16000", "22050,16000", "16000,44100"})
  void kernelsComputedOnDemandEqualThePolyphaseTable(int inRate, int outRate) {
    SplittableRandom rng = new SplittableRandom(inRate ^ outRate);
    float[] x = new float[500];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[] table =
        new Resampler(inRate, outRate, Resampler.Filter.TORCHAUDIO_DEFAULT, Long.MAX_VALUE)
            .resample(x);
    float[] onDemand =
        new Resampler(inRate, outRate, Resampler.Filter.TORCHAUDIO_DEFAULT, 0).resample(x);

    assertThat(onDemand).containsExactly(table);
  }

  @Test
  void coprimeRatesNeedNoTableSizedByTheRawRates() {
    // gcd(383999, 16000) = 1: a table would hold 16000 phases of ~290 taps; on demand it matches
    // the formula.
    SplittableRandom rng = new SplittableRandom(7);
    float[] x = new float[3000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[] y = new Resampler(383999, 16000).resample(x);
    assertThat(y).hasSize((int) Math.ceil(x.length * 16000.0 / 383999));
    for (int j = 0; j < y.length; j++) {
      assertThat((double) y[j])
          .as("output %d", j)
          .isCloseTo(directOutput(x, 383999, 16000, j), within(2e-6));
    }
    // 2^31 - 1 Hz (a corrupt header's rate, prime): constant memory, one output per 134218 inputs.
    float[] z = new Resampler(Integer.MAX_VALUE, 16000).resample(new float[200_000]);
    assertThat(z).hasSize(2).containsOnly(0f);
  }

  @Test
  void upsamplingKeepsAToneAndDoublesTheLength() {
    float[] x = AudioTestSignals.sine(0.5, 1000, 8000, 8000);
    float[] y = new Resampler(8000, 16000).resample(x);

    assertThat(y).hasSize(16000);
    assertThat(AudioTestSignals.amplitudeAt(y, 1000, 15000, 1000, 16000))
        .isCloseTo(0.5, within(0.005));
    // The original samples sit on even output positions.
    for (int i = 100; i < 7900; i += 97) {
      assertThat(y[2 * i]).isCloseTo(x[i], within(0.01f));
    }
  }

  @Test
  void downsamplingAttenuatesContentAboveTheNewNyquist() {
    int in = 48000;
    float[] pass = AudioTestSignals.sine(0.5, 3000, in, in);
    float[] nearAlias = AudioTestSignals.sine(0.5, 9000, in, in); // aliases to 7 kHz at 16 kHz
    float[] farAlias = AudioTestSignals.sine(0.5, 12000, in, in); // aliases to 4 kHz
    Resampler hann = new Resampler(in, 16000);
    Resampler kaiser = new Resampler(in, 16000, Resampler.Filter.KAISER_BEST);

    for (Resampler r : new Resampler[] {hann, kaiser}) {
      assertThat(AudioTestSignals.amplitudeAt(r.resample(pass), 1000, 15000, 3000, 16000))
          .isCloseTo(0.5, within(0.005));
    }
    // torchaudio's default filter has a wide transition band (its documented behaviour, kept for
    // parity).
    assertThat(db(hann.resample(nearAlias), 7000)).isBetween(-20.0, -14.0);
    assertThat(db(hann.resample(farAlias), 4000)).isLessThan(-50);
    assertThat(db(kaiser.resample(nearAlias), 7000)).isLessThan(-100);
    assertThat(db(kaiser.resample(farAlias), 4000)).isLessThan(-100);
  }

  private static double db(float[] y, double freq) {
    return 20 * Math.log10(AudioTestSignals.amplitudeAt(y, 1000, 15000, freq, 16000) / 0.5);
  }

  @Test
  void sameRateIsTheIdentity() {
    float[] x = {1f, -2f, 3f};
    Waveform w = new Waveform(x, 16000, 1);
    assertThat(Resampler.resample(w, 16000)).isSameAs(w);
    assertThat(new Resampler(16000, 16000).resample(x)).containsExactly(x);
  }

  @Test
  void multiChannelWaveformsAreResampledPerChannel() {
    float[] left = AudioTestSignals.sine(0.5, 440, 8000, 800);
    float[] right = AudioTestSignals.sine(0.25, 700, 8000, 800);
    float[] inter = new float[1600];
    for (int t = 0; t < 800; t++) {
      inter[2 * t] = left[t];
      inter[2 * t + 1] = right[t];
    }
    Waveform y = Resampler.resample(new Waveform(inter, 8000, 2), 16000);
    Resampler r = new Resampler(8000, 16000);

    assertThat(y.channels()).isEqualTo(2);
    assertThat(y.sampleRate()).isEqualTo(16000);
    assertThat(y.channel(0)).containsExactly(r.resample(left));
    assertThat(y.channel(1)).containsExactly(r.resample(right));
  }
}
