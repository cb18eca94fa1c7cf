package io.qmargin.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FbankTest {

  private static final float LOG_FLT_EPSILON = (float) Math.log(Math.ulp(1.0f));

  private static float[] randomInts(int n, long seed, int amplitude) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rng.nextInt(-amplitude, amplitude + 1);
    }
    return x;
  }

  /**
   * One frame through every step, written out independently of Fbank: DC removal, pre-emphasis
   * (x[0] uses itself), window, zero-padding, a naive DFT, Kaldi's triangular mel banks, log.
   */
  private static double[] naiveFrame(float[] samples, int start, FbankOptions o) {
    int n = o.windowSize();
    int k = o.paddedWindowSize();
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = samples[start + i];
    }
    double mean = 0;
    for (double v : x) {
      mean += v / n;
    }
    for (int i = 0; i < n; i++) {
      x[i] -= mean;
    }
    double[] e = x.clone();
    double c = o.preemphasisCoefficient();
    for (int i = 0; i < n; i++) {
      x[i] = e[i] - c * e[Math.max(0, i - 1)];
    }
    for (int i = 0; i < n; i++) {
      double a = 2 * Math.PI * i / (n - 1);
      double w =
          switch (o.windowType()) {
            case POVEY -> Math.pow(0.5 - 0.5 * Math.cos(a), 0.85);
            case HAMMING -> 0.54 - 0.46 * Math.cos(a);
            case HANNING -> 0.5 - 0.5 * Math.cos(a);
            case RECTANGULAR -> 1;
            case BLACKMAN -> 0.42 - 0.5 * Math.cos(a) + 0.08 * Math.cos(2 * a);
            case SINE -> Math.sin(a / 2);
          };
      x[i] *= w;
    }
    double[] spectrum = new double[k / 2 + 1];
    for (int f = 0; f <= k / 2; f++) {
      double re = 0;
      double im = 0;
      for (int i = 0; i < n; i++) { // samples n..k are the zero padding
        re += x[i] * Math.cos(2 * Math.PI * f * i / k);
        im -= x[i] * Math.sin(2 * Math.PI * f * i / k);
      }
      double p = re * re + im * im;
      spectrum[f] = o.usePower() ? p : Math.sqrt(p);
    }
    int bins = o.numMelBins();
    double melLow = 1127 * Math.log(1 + o.lowFreq() / 700);
    double melHigh = 1127 * Math.log(1 + o.resolvedHighFreq() / 700);
    double delta = (melHigh - melLow) / (bins + 1);
    double[] out = new double[bins];
    for (int b = 0; b < bins; b++) {
      double left = melLow + b * delta;
      double centre = left + delta;
      double right = centre + delta;
      double sum = 0;
      for (int f = 0; f < k / 2; f++) {
        double mel = 1127 * Math.log(1 + f * o.sampleFrequency() / k / 700);
        double w =
            mel > left && mel <= centre
                ? (mel - left) / delta
                : mel > centre && mel < right ? (right - mel) / delta : 0;
        sum += w * spectrum[f];
      }
      out[b] = o.useLogFbank() ? Math.log(Math.max(sum, Math.ulp(1.0f))) : sum;
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(WindowType.class)
  void oneFrameMatchesAHandComputedPipeline(WindowType window) {
    FbankOptions o = FbankOptions.builder().windowType(window).numMelBins(40).build();
    float[] x = randomInts(400, 7, 3000);

    FeatureMatrix f = new Fbank(o).compute(x);

    assertThat(f.numFrames()).isEqualTo(1);
    double[] expected = naiveFrame(x, 0, o);
    for (int b = 0; b < 40; b++) {
      assertThat((double) f.get(0, b)).as("bin %d", b).isCloseTo(expected[b], within(1e-4));
    }
  }

  @Test
  void laterFramesStartAtMultiplesOfTheShiftAndOptionsAreHonoured() {
    FbankOptions o =
        FbankOptions.builder()
            .sampleFrequency(8000)
            .numMelBins(23)
            .preemphasisCoefficient(0.5)
            .lowFreq(100)
            .highFreq(3500)
            .roundToPowerOfTwo(false)
            .usePower(false)
            .build();
    float[] x = randomInts(8000, 11, 10000);

    FeatureMatrix f = new Fbank(o).compute(x);

    assertThat(o.windowSize()).isEqualTo(200);
    assertThat(o.paddedWindowSize()).isEqualTo(200);
    assertThat(f.numFrames()).isEqualTo(1 + (8000 - 200) / 80);
    for (int frame : new int[] {0, 1, 37, f.numFrames() - 1}) {
      double[] expected = naiveFrame(x, frame * 80, o);
      for (int b = 0; b < 23; b++) {
        assertThat((double) f.get(frame, b)).isCloseTo(expected[b], within(1e-4));
      }
    }
  }

  @Test
  void linearFbankIsTheExponentOfTheLogFbank() {
    float[] x = randomInts(4000, 3, 8000);
    FeatureMatrix log = new Fbank(FbankOptions.defaults()).compute(x);
    FeatureMatrix lin = new Fbank(FbankOptions.builder().useLogFbank(false).build()).compute(x);

    for (int i = 0; i < log.values().length; i++) {
      assertThat((double) lin.values()[i])
          .isCloseTo(Math.exp(log.values()[i]), within(1e-5 * Math.exp(log.values()[i])));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 20, 45, 70})
  void aToneAtABinsCentreFrequencyPeaksInThatBin(int bin) {
    Fbank fbank = new Fbank(FbankOptions.defaults());
    double freq = fbank.melCentreFrequencies()[bin];
    float[] tone = AudioTestSignals.sine(10000, freq, 16000, 16000);

    FeatureMatrix f = fbank.compute(tone);

    for (int t = 0; t < f.numFrames(); t++) {
      assertThat(argmax(f.row(t))).as("frame %d", t).isEqualTo(bin);
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {440, 1000, 3000, 7000})
  void aToneLandsInTheBinWithTheNearestCentre(double freq) {
    Fbank fbank = new Fbank(FbankOptions.builder().numMelBins(23).build());
    double[] centres = fbank.melCentreFrequencies();
    int nearest = 0;
    for (int b = 1; b < centres.length; b++) {
      if (Math.abs(centres[b] - freq) < Math.abs(centres[nearest] - freq)) {
        nearest = b;
      }
    }

    FeatureMatrix f = fbank.compute(AudioTestSignals.sine(10000, freq, 16000, 8000));

    assertThat(argmax(f.row(f.numFrames() / 2))).isEqualTo(nearest);
  }

  @Test
  void silenceAndConstantSignalsHitTheLogEpsilonFloor() {
    Fbank fbank = new Fbank(FbankOptions.defaults());
    float[] dc = new float[16000];
    java.util.Arrays.fill(dc, 1234f); // DC removal turns a constant into silence

    for (float[] x : new float[][] {new float[16000], dc}) {
      FeatureMatrix f = fbank.compute(x);
      assertThat(f.numFrames()).isEqualTo(98);
      for (float v : f.values()) {
        assertThat(v).isEqualTo(LOG_FLT_EPSILON);
      }
    }
    assertThat(LOG_FLT_EPSILON).isCloseTo(-15.942385f, within(1e-6f));
  }

  @Test
  void energyColumnIsFlooredAndPlacedFirstOrLastWithHtkCompat() {
    float[] x = new float[3200];
    float[] loud = randomInts(3200, 5, 1000);
    System.arraycopy(loud, 0, x, 1600, 1600); // silence, then noise
    FbankOptions withEnergy = FbankOptions.builder().numMelBins(23).useEnergy(true).build();

    FeatureMatrix plain = new Fbank(withEnergy).compute(x);
    FeatureMatrix floored = new Fbank(withEnergy.toBuilder().energyFloor(1.0).build()).compute(x);
    FeatureMatrix htk = new Fbank(withEnergy.toBuilder().htkCompat(true).build()).compute(x);

    assertThat(plain.dim()).isEqualTo(24);
    assertThat(plain.get(0, 0)).isEqualTo(LOG_FLT_EPSILON);
    assertThat(floored.get(0, 0)).isEqualTo(0f);
    int last = plain.numFrames() - 1;
    double rawEnergy = 0;
    double mean = 0;
    for (int i = 0; i < 400; i++) {
      mean += x[last * 160 + i] / 400.0;
    }
    for (int i = 0; i < 400; i++) {
      double v = x[last * 160 + i] - mean;
      rawEnergy += v * v;
    }
    assertThat((double) plain.get(last, 0)).isCloseTo(Math.log(rawEnergy), within(1e-5));
    for (int t = 0; t < plain.numFrames(); t++) {
      assertThat(htk.get(t, 23)).isEqualTo(plain.get(t, 0));
      for (int b = 0; b < 23; b++) {
        assertThat(htk.get(t, b)).isEqualTo(plain.get(t, b + 1));
      }
    }
  }

  @Test
  void frameCountsFollowSnipEdges() {
    Fbank snip = new Fbank(FbankOptions.defaults());
    Fbank noSnip = new Fbank(FbankOptions.builder().snipEdges(false).build());

    assertThat(snip.numFrames(16000)).isEqualTo(98);
    assertThat(noSnip.numFrames(16000)).isEqualTo(100);
    assertThat(snip.numFrames(400)).isEqualTo(1);
    assertThat(snip.numFrames(399)).isZero();
    assertThat(noSnip.numFrames(399)).isEqualTo(2);
    assertThat(noSnip.numFrames(79)).isZero();
    assertThat(noSnip.numFrames(80)).isEqualTo(1);
    assertThat(snip.compute(new float[399]).numFrames()).isZero();
    assertThat(noSnip.firstSampleOfFrame(0)).isEqualTo(-120);
  }

  @Test
  void withoutSnipEdgesTheSignalIsReflectedAtBothEnds() {
    float[] x = randomInts(1000, 9, 5000);
    FbankOptions o = FbankOptions.builder().snipEdges(false).numMelBins(30).build();
    FeatureMatrix f = new Fbank(o).compute(x);
    Fbank single = new Fbank(o.toBuilder().snipEdges(true).build());

    assertThat(f.numFrames()).isEqualTo(6);
    // Frame 0 covers samples -120..279: x[119], ..., x[0], x[0], ..., x[279] (reflection, sample 0
    // repeated).
    float[] first = new float[400];
    for (int i = 0; i < 400; i++) {
      int j = i - 120;
      first[i] = x[j < 0 ? -j - 1 : j];
    }
    assertThat(f.row(0)).containsExactly(single.compute(first).row(0));
    // Frame 5 covers 680..1079: the tail is reflected as x[999], x[999], x[998], ...
    float[] lastFrame = new float[400];
    for (int i = 0; i < 400; i++) {
      int j = 680 + i;
      lastFrame[i] = x[j < 1000 ? j : 2 * 1000 - 1 - j];
    }
    assertThat(f.row(5)).containsExactly(single.compute(lastFrame).row(0));
  }

  @Test
  void windowsFollowKaldisFormulas() {
    double[] povey = WindowType.POVEY.coefficients(400, 0.42);
    assertThat(povey[0]).isZero();
    assertThat(povey[399]).isCloseTo(0, within(1e-12));
    assertThat(povey[100])
        .isCloseTo(Math.pow(0.5 - 0.5 * Math.cos(2 * Math.PI * 100 / 399), 0.85), within(1e-15));
    assertThat(WindowType.HAMMING.coefficients(400, 0.42)[0]).isCloseTo(0.08, within(1e-12));
    assertThat(WindowType.BLACKMAN.coefficients(400, 0.42)[0]).isCloseTo(0, within(1e-12));
    assertThat(WindowType.BLACKMAN.coefficients(400, 0.5)[0]).isCloseTo(0, within(1e-12));
    assertThat(WindowType.RECTANGULAR.coefficients(5, 0.42)).containsExactly(1, 1, 1, 1, 1);
    assertThat(WindowType.parse("Povey")).isEqualTo(WindowType.POVEY);
    assertThatThrownBy(() -> WindowType.parse("kaiser"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kaiser");
  }

  @Test
  void melTrianglesPeakAtOneAndOverlappingNeighboursSumToOne() {
    Fbank fbank = new Fbank(FbankOptions.defaults());
    double[] sum = new double[257];
    double peak = 0;
    for (int b = 0; b < 80; b++) {
      double[] w = fbank.melBinWeights(b);
      for (int k = 0; k < w.length; k++) {
        sum[k] += w[k];
        peak = Math.max(peak, w[k]);
      }
    }
    assertThat(peak).isLessThanOrEqualTo(1.0).isGreaterThan(0.95);
    double[] centres = fbank.melCentreFrequencies();
    for (int k = 0; k < 256; k++) {
      double hz = k * 16000.0 / 512;
      if (hz > centres[0] && hz < centres[79]) {
        assertThat(sum[k]).as("FFT bin %d", k).isCloseTo(1.0, within(1e-9));
      }
    }
    assertThat(sum[256]).as("Nyquist bin is never used").isZero();
    assertThat(Fbank.melScale(700)).isCloseTo(1127 * Math.log(2), within(1e-9));
    assertThat(Fbank.inverseMelScale(Fbank.melScale(1234.5))).isCloseTo(1234.5, within(1e-9));
  }

  @Test
  void ditherIsSeededAndOffByDefault() {
    float[] x = new float[4000];
    FbankOptions dithered = FbankOptions.builder().dither(1.0).ditherSeed(42).build();

    FeatureMatrix a = new Fbank(dithered).compute(x);
    FeatureMatrix b = new Fbank(dithered).compute(x);
    FeatureMatrix c = new Fbank(dithered.toBuilder().ditherSeed(43).build()).compute(x);

    assertThat(FbankOptions.defaults().dither()).isZero();
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
    assertThat(a.get(3, 40)).isGreaterThan(LOG_FLT_EPSILON + 5);
  }

  @Test
  void waveformInputIsScaledToSixteenBitsAndMustBeMonoAtTheRightRate() {
    float[] ints = randomInts(1600, 13, 20000);
    float[] unit = new float[ints.length];
    for (int i = 0; i < ints.length; i++) {
      unit[i] = ints[i] / 32768f;
    }
    Fbank fbank = new Fbank(FbankOptions.defaults());

    assertThat(fbank.compute(new Waveform(unit, 16000, 1))).isEqualTo(fbank.compute(ints));
    assertThatThrownBy(() -> fbank.compute(new Waveform(new float[3200], 16000, 2)))
        .hasMessageContaining("mono");
    assertThatThrownBy(() -> fbank.compute(new Waveform(unit, 8000, 1)))
        .hasMessageContaining("8000");
  }

  @Test
  void defaultsAreKaldisExceptDitherAndMelBins() {
    FbankOptions q = FbankOptions.defaults();
    FbankOptions k = FbankOptions.kaldiDefaults();

    assertThat(q.numMelBins()).isEqualTo(80);
    assertThat(k.numMelBins()).isEqualTo(23);
    assertThat(k.dither()).isEqualTo(1.0);
    assertThat(q.toBuilder().dither(1.0).numMelBins(23).build()).isEqualTo(k);
    assertThat(q.windowSize()).isEqualTo(400);
    assertThat(q.windowShift()).isEqualTo(160);
    assertThat(q.paddedWindowSize()).isEqualTo(512);
    assertThat(q.windowType()).isEqualTo(WindowType.POVEY);
    assertThat(q.energyFloor()).isZero();
  }

  @Test
  void badOptionsAreRejectedWithKaldisOptionNames() {
    assertThatThrownBy(() -> FbankOptions.builder().numMelBins(2).build())
        .hasMessageContaining("num-mel-bins");
    assertThatThrownBy(() -> FbankOptions.builder().lowFreq(9000).build())
        .hasMessageContaining("low-freq");
    assertThatThrownBy(() -> FbankOptions.builder().preemphasisCoefficient(1.5).build())
        .hasMessageContaining("preemphasis");
    assertThatThrownBy(() -> FbankOptions.builder().frameLengthMs(0.05).build())
        .hasMessageContaining("frame-length");
    assertThatThrownBy(
            () -> FbankOptions.builder().frameLengthMs(25.0625).roundToPowerOfTwo(false).build())
        .hasMessageContaining("even");
    assertThatThrownBy(() -> new Fbank(FbankOptions.builder().numMelBins(200).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("covers no FFT bin");
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
