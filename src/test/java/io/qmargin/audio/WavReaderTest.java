package io.qmargin.audio;

import static io.qmargin.audio.AudioTestSignals.WavSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WavReaderTest {
  @TempDir Path dir;

  private static final Path FSDD = Path.of("../shared/data/fsdd/recordings");

  @ParameterizedTest
  @ValueSource(ints = {8, 16, 24, 32})
  void integerPcmRoundTripsAtEveryBitDepthOnOneScale(int bits) throws IOException {
    long fullScale = 1L << (bits - 1);
    int[] samples = {
      0,
      1,
      -1,
      (int) (fullScale / 2),
      (int) -fullScale,
      (int) (fullScale - 1),
      12,
      -345 % (int) fullScale
    };
    Path wav =
        AudioTestSignals.writeTemp(
            dir,
            "pcm" + bits + ".wav",
            AudioTestSignals.wavBytes(WavSpec.pcm(bits, 1, 16000), samples));

    Waveform w = AudioReader.read(wav);

    assertThat(w.sampleRate()).isEqualTo(16000);
    assertThat(w.channels()).isEqualTo(1);
    float[] expected = new float[samples.length];
    for (int i = 0; i < samples.length; i++) {
      expected[i] = (float) (samples[i] / (double) fullScale);
    }
    assertThat(w.samples()).containsExactly(expected);
    assertThat(w.samples()[3]).isEqualTo(0.5f);
    assertThat(w.samples()[4]).isEqualTo(-1f);
  }

  @Test
  void sixteenBitSamplesScaleBackToTheirIntegers() throws IOException {
    int[] samples = AudioTestSignals.tone(20000, 440, 16000, 1600);
    Path wav =
        AudioTestSignals.writeTemp(
            dir, "t.wav", AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, 16000), samples));

    float[] x = AudioReader.read(wav).samples();

    for (int i = 0; i < samples.length; i++) {
      assertThat(x[i] * Fbank.SIXTEEN_BIT_SCALE).isEqualTo((float) samples[i]);
    }
  }

  @Test
  void floatWavKeepsItsValues() throws IOException {
    float[] samples = {0f, 0.25f, -0.5f, 1f, -1f, 1.5f, 1e-6f};
    Path wav =
        AudioTestSignals.writeTemp(
            dir, "f.wav", AudioTestSignals.wavBytes(WavSpec.float32(1, 8000), samples));

    assertThat(AudioReader.read(wav).samples()).containsExactly(samples);
  }

  @Test
  void stereoIsInterleavedAndMixesToTheChannelMean() throws IOException {
    int[] left = {1000, 2000, -3000};
    int[] right = {3000, -2000, -1000};
    Path wav =
        AudioTestSignals.writeTemp(
            dir,
            "st.wav",
            AudioTestSignals.wavBytes(
                WavSpec.pcm(16, 2, 8000), AudioTestSignals.interleave(left, right)));

    Waveform w = AudioReader.read(wav);

    assertThat(w.channels()).isEqualTo(2);
    assertThat(w.numFrames()).isEqualTo(3);
    assertThat(w.channel(0)).containsExactly(1000 / 32768f, 2000 / 32768f, -3000 / 32768f);
    assertThat(w.channel(1)).containsExactly(3000 / 32768f, -2000 / 32768f, -1000 / 32768f);
    assertThat(w.toMono().samples()).containsExactly(2000 / 32768f, 0f, -2000 / 32768f);
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 24, 32})
  void extensibleFormatReadsLikePlainPcm(int bits) throws IOException {
    int[] samples =
        AudioTestSignals.interleave(
            AudioTestSignals.tone(1000, 440, 8000, 50), AudioTestSignals.tone(500, 300, 8000, 50));
    WavSpec plain = WavSpec.pcm(bits, 2, 8000);
    Waveform a =
        AudioReader.read(
            AudioTestSignals.writeTemp(dir, "a.wav", AudioTestSignals.wavBytes(plain, samples)));
    Waveform b =
        AudioReader.read(
            AudioTestSignals.writeTemp(
                dir, "b.wav", AudioTestSignals.wavBytes(plain.asExtensible(), samples)));

    assertThat(b).isEqualTo(a);
  }

  @Test
  void extensibleFloatIsRead() throws IOException {
    float[] samples = {0.125f, -0.75f};
    Path wav =
        AudioTestSignals.writeTemp(
            dir,
            "ef.wav",
            AudioTestSignals.wavBytes(WavSpec.float32(1, 16000).asExtensible(), samples));

    assertThat(AudioReader.read(wav).samples()).containsExactly(samples);
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 24, 32})
  void bigEndianRifxIsRead(int bits) throws IOException {
    int[] samples = AudioTestSignals.tone(4000, 1000, 16000, 64);
    Waveform le =
        AudioReader.read(
            AudioTestSignals.writeTemp(
                dir, "le.wav", AudioTestSignals.wavBytes(WavSpec.pcm(bits, 1, 16000), samples)));
    Waveform be =
        AudioReader.read(
            AudioTestSignals.writeTemp(
                dir,
                "be.wav",
                AudioTestSignals.wavBytes(WavSpec.pcm(bits, 1, 16000).asRifx(), samples)));

    assertThat(be).isEqualTo(le);
  }

  @Test
  void oddSizedChunkIsSkippedWithItsPadByte() throws IOException {
    int[] samples = {1, 2, 3, 4};
    Path wav =
        AudioTestSignals.writeTemp(
            dir,
            "odd.wav",
            AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, 16000).withOddChunk(), samples));

    assertThat(AudioReader.read(wav).samples())
        .containsExactly(1 / 32768f, 2 / 32768f, 3 / 32768f, 4 / 32768f);
  }

  @Test
  void truncatedDataChunkIsAnErrorNamingThePath() throws IOException {
    byte[] full = AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, 16000), new int[1000]);
    Path wav = AudioTestSignals.writeTemp(dir, "cut.wav", Arrays.copyOf(full, full.length - 100));

    assertThatThrownBy(() -> AudioReader.read(wav))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining(wav.toString())
        .hasMessageContaining("truncated")
        .satisfies(e -> assertThat(((CorruptAudioException) e).path()).isEqualTo(wav));
  }

  @Test
  void fileCutInsideTheHeaderIsAnError() throws IOException {
    byte[] full = AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, 16000), new int[10]);
    Path wav = AudioTestSignals.writeTemp(dir, "head.wav", Arrays.copyOf(full, 30));

    assertThatThrownBy(() -> AudioReader.read(wav))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining(wav.toString());
  }

  @Test
  void unknownDataSizeMeansUntilTheEndOfTheFile() throws IOException {
    byte[] bytes = AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, 16000), new int[] {5, 6, 7});
    int dataSizeAt = bytes.length - 6 - 4;
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(dataSizeAt, -1);
    Path wav = AudioTestSignals.writeTemp(dir, "stream.wav", bytes);

    assertThat(AudioReader.read(wav).samples()).containsExactly(5 / 32768f, 6 / 32768f, 7 / 32768f);
  }

  @Test
  void unsupportedEncodingIsNamed() throws IOException {
    byte[] bytes = AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, 8000), new int[4]);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 7);
    Path wav = AudioTestSignals.writeTemp(dir, "mulaw.wav", bytes);

    assertThatThrownBy(() -> AudioReader.read(wav))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining("mu-law");
  }

  @Test
  void anImplausibleSampleRateIsCorruptAudioBeforeAnyResampling() throws IOException {
    // A 2 KB file whose header claims 2^31 - 1 Hz: resampling it to 16 kHz used to exhaust the
    // heap.
    Path absurd =
        AudioTestSignals.writeTemp(
            dir,
            "absurd.wav",
            AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, Integer.MAX_VALUE), new int[1000]));
    Path low =
        AudioTestSignals.writeTemp(
            dir, "low.wav", AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, 999), new int[10]));

    assertThatThrownBy(() -> AudioReader.readMono(absurd, 16000))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageStartingWith(absurd + ": ")
        .hasMessageContaining("2147483647 Hz")
        .hasMessageContaining("1000 to 384000 Hz");
    assertThatThrownBy(() -> AudioReader.read(low))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining("999 Hz");
    // The edges of the accepted range read.
    for (int rate : new int[] {AudioReader.MIN_SAMPLE_RATE, AudioReader.MAX_SAMPLE_RATE}) {
      Path ok =
          AudioTestSignals.writeTemp(
              dir, rate + ".wav", AudioTestSignals.wavBytes(WavSpec.pcm(16, 1, rate), new int[10]));
      assertThat(AudioReader.read(ok).sampleRate()).isEqualTo(rate);
    }
  }

  @Test
  void nanOrInfiniteFloatSamplesAreCorruptAudioNamingWhere() throws IOException {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] samples = new float[16];
      samples[2 * 5 + 1] = bad; // frame 5 of the right channel
      Path wav =
          AudioTestSignals.writeTemp(
              dir, "bad.wav", AudioTestSignals.wavBytes(WavSpec.float32(2, 8000), samples));

      assertThatThrownBy(() -> AudioReader.read(wav))
          .isInstanceOf(CorruptAudioException.class)
          .hasMessageStartingWith(wav + ": sample " + bad)
          .hasMessageContaining("frame 5, channel 1");
    }
  }

  @Test
  void missingAndUnrecognisedFilesAreUserErrors() throws IOException {
    Path missing = dir.resolve("nope.wav");
    assertThatThrownBy(() -> AudioReader.read(missing))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("nope.wav");
    Path text = AudioTestSignals.writeTemp(dir, "notes.txt", "hello world".getBytes());
    assertThatThrownBy(() -> AudioReader.read(text))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining("unrecognised");
    Path empty = AudioTestSignals.writeTemp(dir, "empty.wav", new byte[0]);
    assertThatThrownBy(() -> AudioReader.read(empty))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void realSpeechFromFsddReadsAsEightKilohertzMono() throws IOException {
    Path file = FSDD.resolve("george/0_george_0.wav");
    assumeThat(Files.exists(file)).as("shared FSDD data present").isTrue();

    Waveform w = AudioReader.read(file);

    assertThat(w.sampleRate()).isEqualTo(8000);
    assertThat(w.channels()).isEqualTo(1);
    assertThat(w.durationSeconds()).isBetween(0.2, 1.0);
    float peak = 0;
    for (float v : w.samples()) {
      peak = Math.max(peak, Math.abs(v));
    }
    assertThat(peak).isBetween(0.01f, 1f);
  }
}
