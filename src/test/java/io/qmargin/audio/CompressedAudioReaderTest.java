package io.qmargin.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FLAC and Ogg Vorbis through the committed tone files (see the resources' README). */
class CompressedAudioReaderTest {
  @TempDir Path dir;

  private Path copy(String name) throws IOException {
    return AudioTestSignals.writeTemp(dir, name, AudioTestSignals.resource(name));
  }

  private static float[] scaled(int[] x, double fullScale) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) (x[i] / fullScale);
    }
    return out;
  }

  @Test
  void flacSixteenBitMonoIsLossless() throws IOException {
    Waveform w = AudioReader.read(copy("tone-16k-16bit-mono.flac"));

    assertThat(w.sampleRate()).isEqualTo(16000);
    assertThat(w.channels()).isEqualTo(1);
    assertThat(w.samples())
        .containsExactly(scaled(AudioTestSignals.tone(12000, 440, 16000, 4000), 32768));
  }

  @Test
  void flacTwentyFourBitStereoIsLossless() throws IOException {
    Waveform w = AudioReader.read(copy("tone-8k-24bit-stereo.flac"));

    assertThat(w.sampleRate()).isEqualTo(8000);
    assertThat(w.channels()).isEqualTo(2);
    assertThat(w.channel(0))
        .containsExactly(scaled(AudioTestSignals.tone(3e6, 440, 8000, 2000), 1 << 23));
    assertThat(w.channel(1))
        .containsExactly(scaled(AudioTestSignals.tone(2e6, 1000, 8000, 2000), 1 << 23));
  }

  @Test
  void flacEightBitUsesTheSameScaleAsWav() throws IOException {
    Waveform w = AudioReader.read(copy("tone-8k-8bit-mono.flac"));

    assertThat(w.samples())
        .containsExactly(scaled(AudioTestSignals.tone(100, 440, 8000, 2000), 128));
  }

  @Test
  void truncatedFlacIsAnErrorNamingThePath() throws IOException {
    byte[] full = AudioTestSignals.resource("tone-16k-16bit-mono.flac");
    Path cut = AudioTestSignals.writeTemp(dir, "cut.flac", Arrays.copyOf(full, full.length / 2));

    assertThatThrownBy(() -> AudioReader.read(cut))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining(cut.toString());
  }

  @Test
  void aFlacStreamInfoRateOutsideThePlausibleRangeIsCorrupt() throws IOException {
    for (int rate : new int[] {0, 999, 0xFFFFF}) {
      byte[] bytes = AudioTestSignals.resource("tone-16k-16bit-mono.flac");
      // STREAMINFO starts at byte 8; its 20-bit sample rate occupies bytes 18, 19 and the high
      // nibble of 20.
      bytes[18] = (byte) (rate >>> 12);
      bytes[19] = (byte) (rate >>> 4);
      bytes[20] = (byte) ((rate & 0xF) << 4 | (bytes[20] & 0x0F));
      Path odd = AudioTestSignals.writeTemp(dir, "rate" + rate + ".flac", bytes);

      assertThatThrownBy(() -> AudioReader.read(odd))
          .isInstanceOf(CorruptAudioException.class)
          .hasMessageStartingWith(odd + ": implausible sample rate " + rate + " Hz");
    }
  }

  @Test
  void corruptFlacFrameIsAnError() throws IOException {
    byte[] bytes = AudioTestSignals.resource("tone-8k-24bit-stereo.flac");
    for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) {
      bytes[i] ^= (byte) 0x5A;
    }
    Path bad = AudioTestSignals.writeTemp(dir, "bad.flac", bytes);

    assertThatThrownBy(() -> AudioReader.read(bad))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void oggVorbisDecodesBothTonesAtFullLength() throws IOException {
    Waveform w = AudioReader.read(copy("tone-22k-stereo.ogg"));

    assertThat(w.sampleRate()).isEqualTo(22050);
    assertThat(w.channels()).isEqualTo(2);
    assertThat(w.numFrames()).isEqualTo(11025);
    float[] left = w.channel(0);
    float[] right = w.channel(1);
    double amp = 16000 / 32768.0;
    // Lossy, so compare the tones' amplitudes (middle of the file, away from codec start-up).
    assertThat(AudioTestSignals.amplitudeAt(left, 2205, 8820, 440, 22050))
        .isCloseTo(amp, org.assertj.core.data.Offset.offset(0.05));
    assertThat(AudioTestSignals.amplitudeAt(left, 2205, 8820, 1000, 22050)).isLessThan(0.02);
    assertThat(AudioTestSignals.amplitudeAt(right, 2205, 8820, 1000, 22050))
        .isCloseTo(amp, org.assertj.core.data.Offset.offset(0.05));
    assertThat(AudioTestSignals.amplitudeAt(right, 2205, 8820, 440, 22050)).isLessThan(0.02);
  }

  @Test
  void truncatedOggIsAnErrorNamingThePath() throws IOException {
    byte[] full = AudioTestSignals.resource("tone-22k-stereo.ogg");
    Path cut = AudioTestSignals.writeTemp(dir, "cut.ogg", Arrays.copyOf(full, full.length * 2 / 3));

    assertThatThrownBy(() -> AudioReader.read(cut))
        .isInstanceOf(CorruptAudioException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void formatIsRecognisedFromContentNotExtension() throws IOException {
    Path misnamed =
        AudioTestSignals.writeTemp(
            dir, "really-flac.wav", AudioTestSignals.resource("tone-8k-8bit-mono.flac"));

    assertThat(AudioReader.read(misnamed).numFrames()).isEqualTo(2000);
  }
}
