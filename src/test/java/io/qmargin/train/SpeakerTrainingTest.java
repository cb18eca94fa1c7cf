package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.data.speech.TestWavs;
import io.qmargin.loss.LossSpec;
import io.qmargin.loss.VerificationLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speaker training through the same trainer: a Kaldi data dir of voiced "speakers", margin ramp.
 */
public class SpeakerTrainingTest {

  /**
   * Speaker k: a voiced sound whose pitch (110 + 45k Hz, jittered per utterance) and formant-like
   * spectral tilt are its own, with noise: distinguishable, but only by learning the spectrum.
   */
  public static Path dataDir(Path dir, int speakers, int utterances) throws IOException {
    Files.createDirectories(dir.resolve("wav"));
    StringBuilder scp = new StringBuilder();
    StringBuilder u2s = new StringBuilder();
    int rate = 8000;
    for (int k = 0; k < speakers; k++) {
      for (int j = 0; j < utterances; j++) {
        SplittableRandom r = new SplittableRandom(1000L * k + j);
        int n = (int) (rate * r.nextDouble(0.5, 1.2));
        double f0 = (110 + 45 * k) * r.nextDouble(0.95, 1.05);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          double t = (double) i / rate;
          double v = 0;
          for (int h = 1; h <= 8; h++) {
            v += Math.sin(2 * Math.PI * h * f0 * t) / Math.pow(h, 0.6 + 0.25 * k);
          }
          x[i] =
              (float)
                  (0.2 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)) + 0.02 * r.nextGaussian());
        }
        String id = "spk" + k + "-utt" + j;
        TestWavs.write(dir.resolve("wav").resolve(id + ".wav"), x, rate);
        scp.append(id).append(" wav/").append(id).append(".wav\n");
        u2s.append(id).append(" spk").append(k).append('\n');
      }
    }
    Files.writeString(dir.resolve("wav.scp"), scp);
    Files.writeString(dir.resolve("utt2spk"), u2s);
    return dir;
  }

  @Test
  void speakerModelTrainsFromAKaldiDataDirWithTheMarginRamp(@TempDir Path tmp) throws Exception {
    Path data = dataDir(tmp.resolve("data"), 4, 16);
    Path run = tmp.resolve("run");
    List<String> s =
        List.of(
            "task=speaker",
            "data.type=kaldi",
            "data.path=" + data,
            "speech.sample_rate=8000",
            "speech.num_mel_bins=40",
            "speech.crop_frames=40",
            "speech.held_out_fraction=0.25",
            "model.backbone=small",
            "model.embedding_dim=32",
            "loss=qmargin:alpha=1.5,s=10,m=0.2",
            "batch_size=16",
            "schedule.epochs=6",
            "schedule.warmup_epochs=1",
            "schedule.decay=exponential",
            "schedule.final_lr=1e-3",
            "optimizer.lr=0.05",
            "head.init_std=0.2",
            "margin_schedule.start_epoch=1",
            "margin_schedule.ramp_epochs=2",
            "log_every_steps=1",
            "loader_threads=1");
    TrainingResult r = TinyRuns.train(s, run, false, TrainingListener.QUIET);
    List<JsonNode> lines = TinyRuns.lines(run.resolve("metrics.jsonl"));
    assertThat(lines).hasSize(18); // 48 training utterances / 16 per batch x 6 epochs
    // margin ramp: 0 during epoch 1, then linear to 1 by epoch 3
    assertThat(lines.get(0).get("margin_factor").asDouble()).isZero();
    assertThat(lines.get(4).get("margin_factor").asDouble()).isCloseTo(1.0 / 3 / 2, within(1e-9));
    assertThat(lines.get(17).has("margin_factor")).isFalse();
    double first = (lines.get(0).get("loss").asDouble() + lines.get(1).get("loss").asDouble()) / 2;
    double last =
        (lines.get(15).get("loss").asDouble()
                + lines.get(16).get("loss").asDouble()
                + lines.get(17).get("loss").asDouble())
            / 3;
    assertThat(last)
        .as("mean loss of the last 3 steps (full margin) vs the first 2 (no margin)")
        .isLessThan(0.7 * first);
    ValidationResult v = r.validation().get(0);
    assertThat(v.metrics().targets())
        .isEqualTo(4 * 6); // 4 held-out utterances per speaker: C(4,2) each
    assertThat(v.metrics().eer()).as("held-out EER, chance 0.5").isLessThan(0.3);
  }

  @Test
  void marginScaleScalesEveryMarginTowardsNone() {
    VerificationLoss q = LossSpec.parse("qmargin:alpha=1.5,s=10,m=0.2").withMarginScale(0.25);
    assertThat(q.priorMargin()).isCloseTo(0.05, within(1e-12));
    VerificationLoss c = LossSpec.parse("combined:s=64,m1=0.9,m2=0.4,m3=0.2").withMarginScale(0.5);
    assertThat(c.margin().m1()).isCloseTo(0.95, within(1e-12));
    assertThat(c.margin().m2()).isCloseTo(0.2, within(1e-12));
    assertThat(c.margin().m3()).isCloseTo(0.1, within(1e-12));
    VerificationLoss a = LossSpec.parse("arcface:s=32,m=0.2");
    assertThat(a.withMarginScale(1)).isSameAs(a);
    assertThat(a.withMarginScale(0).margin().m2()).isZero();
  }
}
