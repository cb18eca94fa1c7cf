package io.qmargin.serve.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.qmargin.cli.QmarginCli;
import io.qmargin.data.speech.TestWavs;
import io.qmargin.io.Npy;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.train.SpeakerTrainingTest;
import io.qmargin.train.TrainedModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An uploaded sample is embedded exactly as {@code qmargin embed} embeds the same file (the same
 * preprocessing, for images and for speech), and samples of the wrong kind, corrupt, too short or
 * over the pixel limit are refused with their status.
 */
class SampleEmbedderTest {
  @TempDir Path dir;

  private static void cli(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = QmarginCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    assertThat(cl.execute(args)).as(err.toString()).isZero();
  }

  private float[] embedWithTheCli(Path run, String inputOption, Path input) {
    Path e = dir.resolve("e.npy");
    cli(
        "embed",
        "--model",
        run.toString(),
        inputOption,
        input.toString(),
        "--out",
        e.toString(),
        "--keys",
        dir.resolve("k.txt").toString());
    return Npy.read(e).toFloats();
  }

  private static int status(Runnable r) {
    try {
      r.run();
    } catch (ApiException e) {
      return e.status();
    }
    return 200;
  }

  @Test
  void anUploadedImageEmbedsAsQmarginEmbedEmbedsItsFile() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images"));
    Files.write(images.resolve("a.png"), TinyFaceModel.png(7));
    float[] expected = embedWithTheCli(TinyFaceModel.run(), "--images", images);
    try (NDManager manager = NDManager.newBaseManager()) {
      SampleEmbedder e =
          new SampleEmbedder(
              TrainedModel.load(TinyFaceModel.run(), manager), manager, new ImageSizeGuard(2000));
      assertThat(e.sampleKind()).isEqualTo("image");
      float[] got = e.embed(TinyFaceModel.png(7), "a.png");
      assertThat(got).containsExactly(expected, org.assertj.core.api.Assertions.within(1e-6f));
      assertThat(status(() -> e.embed(new byte[] {'R', 'I', 'F', 'F', 0, 0}, "x"))).isEqualTo(415);
      assertThat(status(() -> e.embed(Arrays.copyOf(TinyFaceModel.png(7), 50), "x")))
          .isEqualTo(400);
      // 40 x 48 = 1920 pixels pass a limit of 2000; 60 x 40 = 2400 do not
      java.awt.image.BufferedImage big = new java.awt.image.BufferedImage(60, 40, 1);
      java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(big, "png", png);
      assertThatThrownBy(() -> e.embed(png.toByteArray(), "big.png"))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("big.png")
          .hasMessageContaining("2400 pixels")
          .satisfies(x -> assertThat(((ApiException) x).status()).isEqualTo(413));
    }
  }

  @Test
  void anUploadedRecordingEmbedsAsQmarginEmbedEmbedsItsFile() throws Exception {
    Path data = SpeakerTrainingTest.dataDir(dir.resolve("data"), 2, 4);
    Path run = dir.resolve("run");
    cli(
        "train",
        "--out",
        run.toString(),
        "--set",
        "task=speaker",
        "--set",
        "data.type=kaldi",
        "--set",
        "data.path=" + data,
        "--set",
        "speech.sample_rate=8000",
        "--set",
        "speech.num_mel_bins=40",
        "--set",
        "speech.crop_frames=40",
        "--set",
        "model.embedding_dim=16",
        "--set",
        "batch_size=4",
        "--set",
        "schedule.epochs=1",
        "--set",
        "loss=arcface:s=16,m=0.2",
        "--set",
        "validation.type=none");
    // a 16 kHz stereo file: the service resamples and mixes down as embed does
    float[] x = new float[2 * 16000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * (i / 2) / 16000.0) + (i % 2) * 0.01);
    }
    Path audio = Files.createDirectories(dir.resolve("audio"));
    Path wav = audio.resolve("u.wav");
    writeStereoWav(wav, x, 16000);
    float[] expected = embedWithTheCli(run, "--audio", audio);
    try (NDManager manager = NDManager.newBaseManager()) {
      SampleEmbedder e =
          new SampleEmbedder(TrainedModel.load(run, manager), manager, new ImageSizeGuard(2000));
      assertThat(e.sampleKind()).isEqualTo("audio");
      assertThat(e.embed(Files.readAllBytes(wav), "u.wav"))
          .containsExactly(expected, org.assertj.core.api.Assertions.within(1e-5f));
      assertThat(status(() -> e.embed(TinyFaceModel.png(1), "face.png"))).isEqualTo(415);
      Path tiny = TestWavs.write(dir.resolve("short.wav"), new float[40], 8000);
      assertThatThrownBy(() -> e.embed(Files.readAllBytes(tiny), "short.wav"))
          .hasMessageContaining("short.wav: too short for the model");
      byte[] truncated = Arrays.copyOf(Files.readAllBytes(wav), 30);
      assertThat(status(() -> e.embed(truncated, "cut.wav"))).isEqualTo(400);
    }
  }

  /** 16-bit PCM WAV with two interleaved channels. */
  private static void writeStereoWav(Path file, float[] interleaved, int rate) throws Exception {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(44 + 2 * interleaved.length)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + 2 * interleaved.length).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2).putInt(rate);
    b.putInt(rate * 4).putShort((short) 4).putShort((short) 16);
    b.put("data".getBytes()).putInt(2 * interleaved.length);
    for (float v : interleaved) {
      b.putShort((short) Math.round(v * 32767));
    }
    Files.write(file, b.array());
  }
}
