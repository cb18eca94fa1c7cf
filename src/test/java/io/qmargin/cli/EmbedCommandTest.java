package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.qmargin.data.speech.TestWavs;
import io.qmargin.io.KaldiArk;
import io.qmargin.io.Npy;
import io.qmargin.train.Embedder;
import io.qmargin.train.SpeakerTrainingTest;
import io.qmargin.train.TrainedModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qmargin embed}: bad files and short utterances are skipped by name; outputs never collide;
 * Kaldi ark/scp.
 */
class EmbedCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  private static Path run;

  /** A tiny speaker model at 8 kHz (one epoch: only its input handling matters here). */
  @BeforeAll
  static void trainTinySpeakerModel() throws Exception {
    Path data = SpeakerTrainingTest.dataDir(shared.resolve("data"), 2, 4);
    run = shared.resolve("run");
    CliCapture train = new CliCapture();
    int code =
        train.run(
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
    assertThat(code).as(train.err.toString()).isZero();
  }

  private static float[] tone(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] =
          (float)
              (0.3 * Math.sin(2 * Math.PI * 200 * i / 8000.0)
                  + 0.1 * Math.sin(2 * Math.PI * 610 * i / 8000.0));
    }
    return x;
  }

  @Test
  void shortAndCorruptUtterancesAreSkippedByNameAndTheRestIsEmbeddedAlsoAsKaldiArk()
      throws Exception {
    Path audio = dir.resolve("audio");
    TestWavs.write(audio.resolve("a.wav"), tone(8000), 8000);
    TestWavs.write(audio.resolve("b.wav"), tone(6000), 8000);
    TestWavs.write(audio.resolve("short.wav"), tone(100), 8000); // less than one 25 ms frame
    ByteBuffer nan = ByteBuffer.allocate(44 + 8).order(ByteOrder.LITTLE_ENDIAN);
    nan.put("RIFF".getBytes())
        .putInt(44)
        .put("WAVE".getBytes())
        .put("fmt ".getBytes())
        .putInt(16)
        .putShort((short) 3)
        .putShort((short) 1)
        .putInt(8000)
        .putInt(32000)
        .putShort((short) 4)
        .putShort((short) 32)
        .put("data".getBytes())
        .putInt(8)
        .putFloat(0.5f)
        .putFloat(Float.NaN);
    Files.write(audio.resolve("nan.wav"), nan.array());
    Path e = dir.resolve("e.npy");
    Path keys = dir.resolve("k.txt");
    Path ark = dir.resolve("e.ark");
    Path scp = dir.resolve("e.scp");

    CliCapture embed = new CliCapture();
    int code =
        embed.run(
            "embed",
            "--model",
            run.toString(),
            "--audio",
            audio.toString(),
            "--out",
            e.toString(),
            "--keys",
            keys.toString(),
            "--ark",
            ark.toString(),
            "--scp",
            scp.toString());

    assertThat(code).as(embed.err.toString()).isZero();
    assertThat(embed.err.toString())
        .contains(
            "skipped "
                + audio.resolve("short.wav")
                + ": too short for the model: 1 frame(s), it needs at least")
        .contains("skipped " + audio.resolve("nan.wav") + ": sample NaN");
    assertThat(embed.out.toString()).contains("2 embeddings").contains("(2 inputs skipped)");
    assertThat(Files.readAllLines(keys)).containsExactly("a.wav", "b.wav");
    float[] rows = Npy.read(e).toFloats();
    int dim = rows.length / 2;
    for (List<KaldiArk.Entry> entries : List.of(KaldiArk.readArk(ark), KaldiArk.readScp(scp))) {
      assertThat(entries).extracting(KaldiArk.Entry::key).containsExactly("a.wav", "b.wav");
      for (int i = 0; i < 2; i++) {
        assertThat(entries.get(i).vector())
            .containsExactly(Arrays.copyOfRange(rows, i * dim, (i + 1) * dim));
      }
    }
  }

  @Test
  void theShortestEmbeddableUtteranceIsFoundExactly() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = TrainedModel.load(run, manager);
      long bins = m.sampleShape()[1];
      int min = new Embedder(m.backbone(), manager, m.sampleShape(), 1).minimumFrames(bins, 4096);
      ParameterStore store = new ParameterStore(manager, false);

      assertThat(min).isBetween(2, 4096);
      m.backbone().forward(store, new NDList(manager.zeros(new Shape(1, min, bins))), false);
      assertThatThrownBy(
              () ->
                  m.backbone()
                      .forward(
                          store, new NDList(manager.zeros(new Shape(1, min - 1, bins))), false))
          .isInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void collidingOutputsAndABatchOfZeroAreRefusedBeforeAnyWork() throws Exception {
    Path images = Files.createDirectories(dir.resolve("img"));
    Path list = Files.writeString(dir.resolve("list.txt"), "");
    String[][] cases = {
      {
        "--images",
        images.toString(),
        "--out",
        dir.resolve("x").toString(),
        "--keys",
        dir.resolve("sub/../x").toString()
      },
      {
        "--images",
        images.toString(),
        "--out",
        dir.resolve("e.npy").toString(),
        "--keys",
        dir.resolve("k").toString(),
        "--ark",
        dir.resolve("k").toString()
      },
      {
        "--images",
        list.toString(),
        "--out",
        dir.resolve("e.npy").toString(),
        "--keys",
        list.toString()
      },
    };
    String[] expected = {
      "--out and --keys name the same file",
      "--keys and --ark name the same file",
      "--keys and --images name the same file"
    };
    for (int i = 0; i < cases.length; i++) {
      CliCapture c = new CliCapture();
      String[] args = new String[cases[i].length + 3];
      args[0] = "embed";
      args[1] = "--model";
      args[2] = run.toString();
      System.arraycopy(cases[i], 0, args, 3, cases[i].length);
      assertThat(c.run(args)).isEqualTo(2);
      assertThat(c.err.toString()).contains(expected[i]).doesNotContain("Exception");
    }
    assertThat(Files.readString(list)).isEmpty();

    CliCapture zero = new CliCapture();
    assertThat(
            zero.run(
                "embed",
                "--model",
                run.toString(),
                "--images",
                images.toString(),
                "--out",
                dir.resolve("e.npy").toString(),
                "--keys",
                dir.resolve("k.txt").toString(),
                "--batch",
                "0"))
        .isEqualTo(2);
    assertThat(zero.err.toString())
        .contains("--batch must be at least 1, got 0")
        .doesNotContain("\tat ");
    CliCapture scpOnly = new CliCapture();
    assertThat(
            scpOnly.run(
                "embed",
                "--model",
                run.toString(),
                "--images",
                images.toString(),
                "--out",
                dir.resolve("e.npy").toString(),
                "--keys",
                dir.resolve("k.txt").toString(),
                "--scp",
                "e.scp"))
        .isEqualTo(2);
    assertThat(scpOnly.err.toString()).contains("give --ark too");
  }

  @Test
  void aWavScpIsReadAsTrainingReadsItAnIdListedTwiceIsRefusedNamingFileAndLine() throws Exception {
    Path audio = Files.createDirectories(dir.resolve("audio"));
    TestWavs.write(audio.resolve("a.wav"), tone(8000), 8000);
    TestWavs.write(audio.resolve("b.wav"), tone(6000), 8000);
    Path scp =
        Files.writeString(
            dir.resolve("wav.scp"), "u1 audio/a.wav\n\nu2 audio/b.wav\nu1 audio/b.wav\n");
    Path e = dir.resolve("e.npy");
    Path keys = dir.resolve("k.txt");

    CliCapture twice = new CliCapture();
    assertThat(
            twice.run(
                "embed",
                "--model",
                run.toString(),
                "--audio",
                scp.toString(),
                "--out",
                e.toString(),
                "--keys",
                keys.toString()))
        .isEqualTo(2);
    assertThat(twice.err.toString())
        .contains(scp + ":4: utterance id 'u1' already listed on line 1")
        .doesNotContain("\tat ");
    assertThat(e).doesNotExist();
    assertThat(keys).doesNotExist();

    // once each: embedded in the file's order, relative paths against the list's folder
    Files.writeString(scp, "u2 audio/b.wav\nu1\taudio/a.wav\n");
    CliCapture ok = new CliCapture();
    assertThat(
            ok.run(
                "embed",
                "--model",
                run.toString(),
                "--audio",
                scp.toString(),
                "--out",
                e.toString(),
                "--keys",
                keys.toString()))
        .as(ok.err.toString())
        .isZero();
    assertThat(Files.readAllLines(keys)).containsExactly("u2", "u1");
  }
}
