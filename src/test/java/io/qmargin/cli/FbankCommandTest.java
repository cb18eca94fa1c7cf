package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.audio.AudioReader;
import io.qmargin.audio.CepstralMeanNormalization;
import io.qmargin.audio.Fbank;
import io.qmargin.audio.FbankOptions;
import io.qmargin.audio.FeatureMatrix;
import io.qmargin.audio.Resampler;
import io.qmargin.audio.Waveform;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FbankCommandTest {
  @TempDir Path dir;

  private final CliCapture cli = new CliCapture();
  private final StringWriter err = cli.err;
  private final StringWriter out = cli.out;

  private int run(String... args) {
    return cli.run(args);
  }

  /** A 16-bit PCM WAV of the given interleaved integer samples. */
  private Path wav(String name, int rate, int channels, short[] samples) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII))
        .putInt(36 + 2 * samples.length)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII))
        .putInt(16)
        .putShort((short) 1)
        .putShort((short) channels)
        .putInt(rate)
        .putInt(rate * channels * 2)
        .putShort((short) (channels * 2))
        .putShort((short) 16);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * samples.length);
    for (short s : samples) {
      b.putShort(s);
    }
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  private static short[] chirp(int n, int rate, int channels) {
    short[] x = new short[n * channels];
    for (int t = 0; t < n; t++) {
      double s = 8000 * Math.sin(2 * Math.PI * (100 + 2000.0 * t / n) * t / rate);
      for (int c = 0; c < channels; c++) {
        x[t * channels + c] = (short) Math.round(s * (c == 0 ? 1 : 0.5));
      }
    }
    return x;
  }

  @Test
  void writesTheSameMatrixAsTheLibrary() throws IOException {
    Path in = wav("a.wav", 16000, 1, chirp(8000, 16000, 1));
    Path npy = dir.resolve("a.npy");

    assertThat(run("fbank", in.toString(), "--out", npy.toString(), "--num-mel-bins", "40"))
        .isEqualTo(0);

    Npy.Array a = Npy.read(npy);
    FeatureMatrix expected =
        new Fbank(FbankOptions.builder().numMelBins(40).build()).compute(AudioReader.read(in));
    assertThat(a.shape()).containsExactly(expected.numFrames(), 40);
    assertThat(a.dtype()).isEqualTo(Npy.DType.FLOAT32);
    assertThat(a.toFloats()).containsExactly(expected.values());
  }

  @Test
  void kaldiStyleOptionsAreAccepted() throws IOException {
    Path in = wav("b.wav", 16000, 1, chirp(8000, 16000, 1));
    Path npy = dir.resolve("b.npy");

    int code =
        run(
            "fbank",
            in.toString(),
            "--out",
            npy.toString(),
            "--snip-edges=false",
            "--window-type=hamming",
            "--frame-length=20",
            "--frame-shift=5",
            "--low-freq=40",
            "--high-freq=-200",
            "--dither=0",
            "--preemphasis-coefficient=0.9",
            "--energy-floor=1",
            "--use-energy=true",
            "--raw-energy=false",
            "--remove-dc-offset=true",
            "--round-to-power-of-two=true",
            "--use-log-fbank=true",
            "--use-power=true",
            "--sample-frequency=16000",
            "--num-mel-bins=30");

    assertThat(code).as(err.toString()).isEqualTo(0);
    assertThat(Npy.read(npy).shape()).containsExactly((8000 + 40) / 80, 31);
  }

  @Test
  void aRateMismatchIsRefusedLikeKaldiUnlessResamplingIsAllowed() throws IOException {
    Path low = wav("low.wav", 8000, 1, chirp(4000, 8000, 1));
    Path high = wav("high.wav", 22050, 1, chirp(4000, 22050, 1));
    Path npy = dir.resolve("m.npy");

    assertThat(run("fbank", low.toString(), "--out", npy.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains(low + ": the audio is at 8000 Hz but --sample-frequency is 16000 Hz")
        .contains("--allow-upsample=true")
        .doesNotContain("Exception");
    assertThat(run("fbank", high.toString(), "--out", npy.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("22050 Hz").contains("--allow-downsample=true");
    // Allowing the other direction does not help, as in Kaldi.
    assertThat(run("fbank", low.toString(), "--out", npy.toString(), "--allow-downsample=true"))
        .isEqualTo(2);
    assertThat(npy).doesNotExist();
    // At the file's own rate no resampling is involved.
    assertThat(run("fbank", low.toString(), "--out", npy.toString(), "--sample-frequency=8000"))
        .isEqualTo(0);
    assertThat(Npy.read(npy).toFloats())
        .containsExactly(
            new Fbank(FbankOptions.builder().sampleFrequency(8000).build())
                .compute(AudioReader.read(low))
                .values());
    assertThat(run("fbank", high.toString(), "--out", npy.toString(), "--allow-downsample=true"))
        .isEqualTo(0);
    assertThat(Npy.read(npy).toFloats())
        .containsExactly(
            new Fbank(FbankOptions.defaults())
                .compute(Resampler.resample(AudioReader.read(high), 16000))
                .values());
  }

  @Test
  void outOfRangeOptionsNameTheOptionWithoutATrace() throws IOException {
    Path in = wav("r.wav", 16000, 1, chirp(2000, 16000, 1));
    Path npy = dir.resolve("r.npy");
    String[][] cases = {
      {"--frame-length", "1e9", "--frame-length must be in (0, 1000] ms, got 1.0E9"},
      {"--frame-shift", "NaN", "--frame-shift must be in (0, 1000] ms"},
      {"--num-mel-bins", "1000000000", "--num-mel-bins must be in [3, 256]"},
      {"--sample-frequency", "1e12", "--sample-frequency must be in [1000, 384000] Hz"},
      {"--low-freq", "NaN", "--low-freq NaN"},
      {"--energy-floor", "Infinity", "--energy-floor must be a finite number"},
    };
    for (String[] c : cases) {
      int from = err.toString().length();
      assertThat(run("fbank", in.toString(), "--out", npy.toString(), c[0], c[1]))
          .as(c[0])
          .isEqualTo(2);
      String message = err.toString().substring(from);
      assertThat(message)
          .as(c[0])
          .contains(c[2])
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
    assertThat(npy).doesNotExist();
  }

  @Test
  void stereoAtAnotherRateIsAveragedAndResampledWithANote() throws IOException {
    Path in = wav("st.wav", 8000, 2, chirp(4000, 8000, 2));
    Path npy = dir.resolve("st.npy");

    assertThat(run("fbank", in.toString(), "--out", npy.toString(), "--allow-upsample=true"))
        .isEqualTo(0);

    assertThat(err.toString()).contains("8000 Hz").contains("resampling to 16000 Hz");
    Waveform mono = Resampler.resample(AudioReader.read(in).toMono(), 16000);
    FeatureMatrix expected = new Fbank(FbankOptions.defaults()).compute(mono);
    assertThat(Npy.read(npy).toFloats()).containsExactly(expected.values());
  }

  @Test
  void utteranceCmnIsApplied() throws IOException {
    Path in = wav("c.wav", 16000, 1, chirp(8000, 16000, 1));
    Path npy = dir.resolve("c.npy");

    assertThat(run("fbank", in.toString(), "--out", npy.toString(), "--cmn", "utterance"))
        .isEqualTo(0);

    FeatureMatrix raw = new Fbank(FbankOptions.defaults()).compute(AudioReader.read(in));
    assertThat(Npy.read(npy).toFloats())
        .containsExactly(CepstralMeanNormalization.perUtterance(raw, false).values());
  }

  @Test
  void slidingCmnIsApplied() throws IOException {
    Path in = wav("d.wav", 16000, 1, chirp(8000, 16000, 1));
    Path npy = dir.resolve("d.npy");

    assertThat(
            run(
                "fbank",
                in.toString(),
                "--out",
                npy.toString(),
                "--cmn=sliding",
                "--cmn-window=20",
                "--center=true"))
        .isEqualTo(0);

    FeatureMatrix raw = new Fbank(FbankOptions.defaults()).compute(AudioReader.read(in));
    FeatureMatrix expected =
        CepstralMeanNormalization.slidingWindow(
            raw, new CepstralMeanNormalization.SlidingWindow(20, 100, true, false));
    assertThat(Npy.read(npy).toFloats()).containsExactly(expected.values());
  }

  @Test
  void badInputsExitWithCodeTwoAndAClearMessage() throws IOException {
    Path truncated = dir.resolve("cut.wav");
    byte[] full = Files.readAllBytes(wav("full.wav", 16000, 1, chirp(1000, 16000, 1)));
    Files.write(truncated, java.util.Arrays.copyOf(full, 500));
    Path npy = dir.resolve("x.npy");

    assertThat(run("fbank", truncated.toString(), "--out", npy.toString())).isEqualTo(2);
    assertThat(err.toString()).contains(truncated.toString()).contains("truncated");
    assertThat(npy).doesNotExist();

    Path ok = wav("ok.wav", 16000, 1, chirp(1000, 16000, 1));
    assertThat(run("fbank", ok.toString(), "--out", npy.toString(), "--window-type", "kaiser"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("kaiser");
    assertThat(run("fbank", ok.toString(), "--out", npy.toString(), "--cmn", "global"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("'--cmn': must be one of none, utterance, sliding; got 'global'");
    assertThat(run("fbank", ok.toString(), "--out", npy.toString(), "--num-mel-bins", "2"))
        .isEqualTo(2);
    Path tiny = wav("tiny.wav", 16000, 1, chirp(100, 16000, 1));
    assertThat(run("fbank", tiny.toString(), "--out", npy.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("too short");
    assertThat(npy).doesNotExist();
  }

  @Test
  void helpListsKaldiOptionNames() {
    assertThat(run("fbank", "--help")).isEqualTo(0);
    assertThat(out.toString())
        .contains(
            "--num-mel-bins",
            "--snip-edges",
            "--preemphasis-coefficient",
            "--energy-floor",
            "--cmn-window");
  }
}
