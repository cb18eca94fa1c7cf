package io.qmargin.data.speech;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.UserInputException;
import io.qmargin.audio.CepstralMeanNormalization;
import io.qmargin.audio.CorruptAudioException;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.audio.Waveform;
import io.qmargin.data.SampleSet;
import io.qmargin.data.UnreadableSampleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeechSampleSetTest {
  @TempDir Path tmp;

  private static final int RATE = 16000;
  private SpeechCorpus corpus;
  private float[] longWave;
  private float[] shortWave;

  @BeforeEach
  void corpus() throws IOException {
    longWave = TestWavs.signal(5 * RATE, RATE, 1);
    shortWave = TestWavs.signal(RATE / 2, RATE, 2);
    TestWavs.write(tmp.resolve("alice/long.wav"), longWave, RATE);
    TestWavs.write(tmp.resolve("bob/short.wav"), shortWave, RATE);
    TestWavs.write(tmp.resolve("bob/narrow.wav"), TestWavs.signal(RATE / 2, 8000, 3), 8000);
    corpus = SpeakerFolders.generic(tmp);
  }

  private static FeatureMatrix expectedFeatures(float[] samples) {
    FeatureMatrix raw = new Fbank(FbankOptions.defaults()).compute(new Waveform(samples, RATE, 1));
    return CepstralMeanNormalization.perUtterance(raw, false);
  }

  @Test
  void samplesAreTwoSecondCropsOf80Bins() {
    SampleSet set = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults());
    assertThat(set.size()).isEqualTo(3);
    assertThat(set.numClasses()).isEqualTo(2);
    assertThat(set.label(0)).isEqualTo(0);
    assertThat(set.source(0)).isEqualTo(tmp.resolve("alice/long.wav").toString());
    assertThat(set.sampleShape()).containsExactly(200, 80);
    assertThat(set.load(0, 0)).hasSize(200 * 80);
    assertThat(((SpeechSampleSet) set).cropSamples()).isEqualTo(199 * 160 + 400);
  }

  @Test
  void cropsAreDeterministicPerSeedEpochAndIndex() {
    SpeechSampleSet a = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withSeed(5));
    SpeechSampleSet b = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withSeed(5));
    SpeechSampleSet otherSeed =
        new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withSeed(6));

    assertThat(a.load(0, 3)).containsExactly(b.load(0, 3));
    assertThat(a.crop(0, 3)).isEqualTo(b.crop(0, 3));
    assertThat(a.crop(0, 4).start()).isNotEqualTo(a.crop(0, 3).start());
    assertThat(a.load(0, 4)).isNotEqualTo(a.load(0, 3));
    assertThat(otherSeed.crop(0, 3).start()).isNotEqualTo(a.crop(0, 3).start());
    int maxStart = longWave.length - a.cropSamples();
    for (long epoch = 0; epoch < 20; epoch++) {
      assertThat(a.crop(0, epoch).start()).isBetween(0, maxStart);
    }
  }

  @Test
  void theCropIsTheFbankOfTheWaveformSegment() {
    SpeechSampleSet set =
        new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withSeed(11));
    SpeechSampleSet.Crop c = set.crop(0, 2);
    float[] wave = set.waveform(0);
    assertThat(wave).containsExactly(TestWavs.quantised(longWave));
    float[] segment = Arrays.copyOfRange(wave, c.start(), c.start() + c.length());

    FeatureMatrix expected = expectedFeatures(segment);

    assertThat(expected.numFrames()).isEqualTo(200);
    assertThat(set.load(0, 2)).containsExactly(expected.values());
    // Mean-normalised: every bin averages to ~0 over the crop.
    for (int d = 0; d < 80; d++) {
      double sum = 0;
      for (int t = 0; t < 200; t++) {
        sum += expected.get(t, d);
      }
      assertThat(sum / 200).isCloseTo(0, within(1e-4));
    }
  }

  @Test
  void shortUtterancesAreRepeatedFromTheirStart() {
    SpeechSampleSet set = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults());
    int shortIndex =
        corpus.utterances().stream().map(Utterance::id).toList().indexOf("bob/short.wav");
    float[] x = set.waveform(shortIndex);
    assertThat(x).hasSize(RATE / 2);

    SpeechSampleSet.Crop c = set.crop(shortIndex, 7);
    float[] piece = set.trainingWaveform(shortIndex, 7);

    assertThat(c).isEqualTo(new SpeechSampleSet.Crop(0, set.cropSamples(), true));
    assertThat(piece).hasSize(set.cropSamples());
    for (int i = 0; i < piece.length; i++) {
      assertThat(piece[i]).isEqualTo(x[i % x.length]);
    }
    assertThat(set.load(shortIndex, 7)).containsExactly(expectedFeatures(piece).values());
    assertThat(set.load(shortIndex, 8)).containsExactly(set.load(shortIndex, 7));
  }

  @Test
  void evaluationModeTakesTheCentredCropAndWholeUtterancesAreAvailable() {
    SpeechSampleSet set =
        new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withRandomCrop(false));
    assertThat(set.crop(0, 0).start()).isEqualTo((longWave.length - set.cropSamples()) / 2);
    assertThat(set.load(0, 1)).containsExactly(set.load(0, 2));

    FeatureMatrix whole = set.features(0);
    assertThat(whole.numFrames()).isEqualTo(1 + (longWave.length - 400) / 160);
    assertThat(whole.dim()).isEqualTo(80);
    assertThat(whole).isEqualTo(expectedFeatures(set.waveform(0)));
  }

  @Test
  void audioIsResampledToTheModelRate() {
    SpeechSampleSet set16 = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults());
    int narrow = corpus.utterances().stream().map(Utterance::id).toList().indexOf("bob/narrow.wav");
    assertThat(set16.waveform(narrow)).hasSize(RATE / 2 * 2);

    SpeechSampleSet set8 =
        new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withSampleRate(8000));
    assertThat(set8.options().fbank().sampleFrequency()).isEqualTo(8000);
    assertThat(set8.waveform(narrow)).hasSize(RATE / 2);
    assertThat(set8.waveform(0)).hasSize(longWave.length / 2);
    assertThat(set8.cropSamples()).isEqualTo(199 * 80 + 200);
    assertThat(set8.load(0, 0)).hasSize(200 * 80);

    assertThatThrownBy(
            () ->
                new SpeechSampleSet.Options(
                    16000, FbankOptions.builder().sampleFrequency(8000).build(), 200, true, 0, 0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("8000.0 Hz differs from the sample rate 16000 Hz");
    assertThatThrownBy(() -> SpeechSampleSet.Options.defaults().withCropFrames(0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("got 0");
  }

  @Test
  void corruptAndVanishedFilesAreUnreadableSamplesNamingThePath() throws IOException {
    Path bad = tmp.resolve("carol/bad.wav");
    Files.createDirectories(bad.getParent());
    Files.write(bad, Arrays.copyOf(Files.readAllBytes(tmp.resolve("alice/long.wav")), 30));
    TestWavs.tiny(tmp.resolve("carol/gone.wav"));
    SpeechCorpus c = SpeakerFolders.generic(tmp);
    Files.delete(tmp.resolve("carol/gone.wav"));
    SpeechSampleSet set = new SpeechSampleSet(c, SpeechSampleSet.Options.defaults());
    List<String> ids = c.utterances().stream().map(Utterance::id).toList();

    int badIndex = ids.indexOf("carol/bad.wav");
    assertThatThrownBy(() -> set.load(badIndex, 0))
        .isInstanceOf(UnreadableSampleException.class)
        .hasMessageStartingWith(bad + ": ")
        .hasMessageNotContaining(bad + ": " + bad)
        .hasCauseInstanceOf(CorruptAudioException.class)
        .satisfies(
            e -> assertThat(((UnreadableSampleException) e).source()).isEqualTo(bad.toString()));
    int goneIndex = ids.indexOf("carol/gone.wav");
    assertThatThrownBy(() -> set.features(goneIndex))
        .isInstanceOf(UnreadableSampleException.class)
        .hasMessageContaining("gone.wav: no such file");
  }

  @Test
  void nonFiniteSamplesAndAbsurdRatesAreUnreadableSamplesTheTrainerSkips() throws IOException {
    // A float WAV holding an infinity, and a 16-bit WAV whose header claims 2^31 - 1 Hz.
    java.nio.ByteBuffer inf =
        java.nio.ByteBuffer.allocate(44 + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    inf.put("RIFF".getBytes())
        .putInt(44)
        .put("WAVE".getBytes())
        .put("fmt ".getBytes())
        .putInt(16)
        .putShort((short) 3)
        .putShort((short) 1)
        .putInt(RATE)
        .putInt(4 * RATE)
        .putShort((short) 4)
        .putShort((short) 32)
        .put("data".getBytes())
        .putInt(8)
        .putFloat(Float.POSITIVE_INFINITY)
        .putFloat(0.5f);
    Path infinite =
        Files.write(Files.createDirectories(tmp.resolve("dave")).resolve("inf.wav"), inf.array());
    Path absurd =
        TestWavs.write(tmp.resolve("dave/absurd.wav"), new float[1000], Integer.MAX_VALUE);
    SpeechCorpus c = SpeakerFolders.generic(tmp);
    SpeechSampleSet set = new SpeechSampleSet(c, SpeechSampleSet.Options.defaults());
    List<String> ids = c.utterances().stream().map(Utterance::id).toList();

    assertThatThrownBy(() -> set.load(ids.indexOf("dave/inf.wav"), 0))
        .isInstanceOf(UnreadableSampleException.class)
        .hasMessageStartingWith(infinite + ": sample Infinity");
    assertThatThrownBy(() -> set.load(ids.indexOf("dave/absurd.wav"), 0))
        .isInstanceOf(UnreadableSampleException.class)
        .hasMessageStartingWith(absurd + ": implausible sample rate 2147483647 Hz");
  }

  @Test
  void theCacheKeepsDecodedWaveformsWithinItsBudget() {
    SpeechSampleSet cached =
        new SpeechSampleSet(
            corpus, SpeechSampleSet.Options.defaults().withCacheBytes(4L * 5 * RATE));
    cached.load(0, 0);
    cached.load(0, 1);
    assertThat(cached.cache().hits()).isEqualTo(1);
    assertThat(cached.cache().bytes()).isEqualTo(4L * 5 * RATE);
    cached.load(1, 0); // evicts the long one
    assertThat(cached.cache().bytes()).isLessThanOrEqualTo(4L * 5 * RATE);
    cached.load(0, 2);
    assertThat(cached.cache().misses()).isEqualTo(3);

    SpeechSampleSet uncached = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults());
    uncached.load(0, 0);
    uncached.load(0, 0);
    assertThat(uncached.cache().hits()).isZero();
    assertThat(uncached.cache().bytes()).isZero();
    assertThat(uncached.load(0, 5)).containsExactly(cached.load(0, 5));
  }

  @Test
  void augmentationIsAppliedToTrainingCropsOnlyAndDeterministically() throws IOException {
    TestWavs.write(tmp.resolve("noise-files/n.wav"), TestWavs.noise(RATE, 0.3, 8), RATE);
    AugmentationSettings settings =
        AugmentationSettings.none().withNoise(tmp.resolve("noise-files"), 1, 5, 5);
    SpeechAugmentation aug = SpeechAugmentation.open(settings, RATE, 0);
    SpeechSampleSet plain = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults());
    SpeechSampleSet noisy = new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults(), aug);

    assertThat(noisy.crop(0, 1)).isEqualTo(plain.crop(0, 1));
    assertThat(noisy.load(0, 1)).containsExactly(noisy.load(0, 1));
    assertThat(noisy.load(0, 1)).isNotEqualTo(plain.load(0, 1));
    float[] clean = plain.trainingWaveform(0, 1);
    float[] mixed = noisy.trainingWaveform(0, 1);
    float[] added = new float[clean.length];
    for (int i = 0; i < clean.length; i++) {
      added[i] = mixed[i] - clean[i];
    }
    double snr =
        10
            * Math.log10(
                SpeechAugmentation.meanSquare(clean) / SpeechAugmentation.meanSquare(added));
    assertThat(snr).isCloseTo(5, within(0.1));
    assertThat(noisy.load(0, 1)).containsExactly(expectedFeatures(mixed).values());

    SpeechSampleSet eval =
        new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withRandomCrop(false), aug);
    SpeechSampleSet evalPlain =
        new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults().withRandomCrop(false));
    assertThat(eval.load(0, 1)).containsExactly(evalPlain.load(0, 1));

    SpeechAugmentation at8k = SpeechAugmentation.open(settings, 8000, 0);
    assertThatThrownBy(() -> new SpeechSampleSet(corpus, SpeechSampleSet.Options.defaults(), at8k))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("8000 Hz");
  }
}
