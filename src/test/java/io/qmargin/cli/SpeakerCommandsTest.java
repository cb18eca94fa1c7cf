package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.Json;
import io.qmargin.io.Npy;
import io.qmargin.train.SpeakerTrainingTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaker route through the command line: train from a Kaldi data dir, embed whole utterances
 * from its wav.scp, and score a VoxCeleb-style trial list with AS-norm against a cohort.
 */
class SpeakerCommandsTest {

  @Test
  void trainEmbedAndScoreAVoxcelebStyleTrialList(@TempDir Path dir) throws Exception {
    Path data = SpeakerTrainingTest.dataDir(dir.resolve("data"), 4, 16);
    Path run = dir.resolve("run");
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
            "model.embedding_dim=32",
            "--set",
            "batch_size=16",
            "--set",
            "schedule.epochs=4",
            "--set",
            "optimizer.lr=0.05",
            "--set",
            "head.init_std=0.2",
            "--set",
            "loss=arcface:s=32,m=0.2");
    assertThat(code).as(train.err.toString()).isZero();

    CliCapture embed = new CliCapture();
    assertThat(
            embed.run(
                "embed",
                "--model",
                run.toString(),
                "--audio",
                data.resolve("wav.scp").toString(),
                "--out",
                dir.resolve("e.npy").toString(),
                "--keys",
                dir.resolve("k.txt").toString()))
        .as(embed.err.toString())
        .isZero();
    List<String> keys = Files.readAllLines(dir.resolve("k.txt"));
    assertThat(keys).hasSize(64).contains("spk0-utt0", "spk3-utt15");
    Npy.Array e = Npy.read(dir.resolve("e.npy"));
    assertThat(e.shape()).containsExactly(64, 32);

    // trials among utterances 12..15 of each speaker; the cohort is every other utterance
    StringBuilder trials = new StringBuilder();
    for (int a = 0; a < 16; a++) {
      for (int b = a + 1; b < 16; b++) {
        String x = "spk" + (a / 4) + "-utt" + (12 + a % 4);
        String y = "spk" + (b / 4) + "-utt" + (12 + b % 4);
        trials
            .append(a / 4 == b / 4 ? 1 : 0)
            .append(' ')
            .append(x)
            .append(' ')
            .append(y)
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("trials.txt"), trials);
    float[] all = e.toFloats();
    List<Float> cohort = new ArrayList<>();
    int rows = 0;
    for (int i = 0; i < keys.size(); i++) {
      if (Integer.parseInt(keys.get(i).substring(keys.get(i).indexOf("utt") + 3)) < 12) {
        for (int k = 0; k < 32; k++) {
          cohort.add(all[i * 32 + k]);
        }
        rows++;
      }
    }
    float[] c = new float[cohort.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = cohort.get(i);
    }
    Npy.writeFloat32(dir.resolve("cohort.npy"), c, rows, 32);
    CliCapture eval = new CliCapture();
    assertThat(
            eval.run(
                "eval",
                "trials",
                dir.resolve("trials.txt").toString(),
                "--embeddings",
                dir.resolve("e.npy").toString(),
                "--keys",
                dir.resolve("k.txt").toString(),
                "--norm",
                "as",
                "--cohort",
                dir.resolve("cohort.npy").toString(),
                "--top-n",
                "10",
                "--out",
                dir.resolve("eval").toString()))
        .as(eval.err.toString())
        .isZero();
    JsonNode m = Json.mapper().readTree(dir.resolve("eval/metrics.json").toFile());
    assertThat(m.toString()).contains("eer");
    assertThat(m.findValue("targets").asLong()).isEqualTo(4 * 6);
    assertThat(m.findValue("nontargets").asLong()).isEqualTo(120 - 24);
    assertThat(m.findValue("eer").asDouble()).as("EER with AS-norm, chance 0.5").isLessThan(0.35);
  }
}
