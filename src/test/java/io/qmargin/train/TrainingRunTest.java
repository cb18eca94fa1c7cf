package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import io.qmargin.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {

  @Test
  void lossFallsAndHeldOutIdentitiesAreVerifiedFarAboveChance(@TempDir Path dir) throws Exception {
    Path run = dir.resolve("run");
    TrainingResult r =
        TinyRuns.train(
            TinyRuns.settings(
                "data.identities=24",
                "data.samples_per_identity=8",
                "schedule.epochs=4",
                "optimizer.lr=0.1"),
            run,
            false,
            TrainingListener.QUIET);
    List<Double> loss = TinyRuns.series(run.resolve("metrics.jsonl"), "loss");
    assertThat(loss).hasSize(48);
    double first = (loss.get(0) + loss.get(1) + loss.get(2)) / 3;
    double last = (loss.get(45) + loss.get(46) + loss.get(47)) / 3;
    assertThat(last).as("mean loss of the last 3 steps vs the first 3").isLessThan(0.7 * first);
    ValidationResult v = r.validation().get(0);
    assertThat(v.metrics().targets()).isEqualTo(8 * 6); // 8 identities x C(4, 2)
    assertThat(v.metrics().eer()).as("held-out EER (chance is 0.5)").isLessThan(0.25);
    // every artefact of a run directory
    for (String f :
        new String[] {
          "config.yaml",
          "metrics.jsonl",
          "validation.jsonl",
          "results.json",
          "model/backbone.params",
          "model/model.json",
          "checkpoints/latest"
        }) {
      assertThat(run.resolve(f)).exists();
    }
    JsonNode step = TinyRuns.lines(run.resolve("metrics.jsonl")).get(0);
    for (String field :
        new String[] {
          "step",
          "epoch",
          "lr",
          "loss",
          "grad_norm",
          "samples_per_second",
          "mean_support",
          "target_out"
        }) {
      assertThat(step.has(field)).as(field).isTrue();
    }
    assertThat(step.get("mean_support").asDouble()).isBetween(1.0, 24.0);
    assertThat(TinyRuns.lines(run.resolve("validation.jsonl"))).hasSize(4); // once per epoch
  }

  @Test
  void resumedRunEndsExactlyLikeAnUninterruptedOne(@TempDir Path dir) throws Exception {
    Path whole = dir.resolve("whole");
    TrainingResult a = TinyRuns.train(TinyRuns.settings(), whole, false, TrainingListener.QUIET);

    Path broken = dir.resolve("broken");
    TrainingListener crashAt6 =
        new TrainingListener() {
          @Override
          public void step(long step, Map<String, Object> record) {
            if (step == 6) {
              throw new IllegalStateException("simulated crash");
            }
          }
        };
    assertThatThrownBy(() -> TinyRuns.train(TinyRuns.settings(), broken, false, crashAt6))
        .hasMessageContaining("simulated crash");
    assertThat(Files.readString(broken.resolve("checkpoints/latest")).trim())
        .isEqualTo("step-00000004");
    assertThatThrownBy(
            () -> TinyRuns.train(TinyRuns.settings(), broken, false, TrainingListener.QUIET))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("--resume");
    TrainingResult b = TinyRuns.train(TinyRuns.settings(), broken, true, TrainingListener.QUIET);

    assertThat(TinyRuns.series(broken.resolve("metrics.jsonl"), "loss"))
        .containsExactlyElementsOf(TinyRuns.series(whole.resolve("metrics.jsonl"), "loss"));
    assertThat(TinyRuns.series(broken.resolve("metrics.jsonl"), "step"))
        .containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0);
    assertThat(b.validation().get(0).metrics().eer())
        .isEqualTo(a.validation().get(0).metrics().eer());
    assertThat(b.validation().get(0).scores().targets())
        .containsExactly(a.validation().get(0).scores().targets());
    assertThat(Files.readAllBytes(broken.resolve("model/backbone.params")))
        .isEqualTo(Files.readAllBytes(whole.resolve("model/backbone.params")));
  }

  @Test
  void a3mReinitialisationSetsPrototypesToClassMeansAndIsLogged(@TempDir Path dir)
      throws Exception {
    Path run = dir.resolve("a3m");
    TinyRuns.train(
        TinyRuns.settings("loss=a3m:alpha=1.25,s=35,m=0.2", "a3m_reinit.at_epochs=[1]"),
        run,
        false,
        TrainingListener.QUIET);
    List<JsonNode> events =
        TinyRuns.lines(run.resolve("metrics.jsonl")).stream().filter(n -> n.has("event")).toList();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("event").asText()).isEqualTo("a3m_reinit");
    assertThat(events.get(0).get("classes_reset").asInt()).isEqualTo(16);
    assertThat(events.get(0).get("step").asLong()).isEqualTo(4);
  }

  @Test
  void theDataMustHoldAtLeastOneBatch(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings("batch_size=100"),
                    dir.resolve("r"),
                    false,
                    TrainingListener.QUIET))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("batch_size");
  }

  @Test
  void resultsJsonSummarisesTheRun(@TempDir Path dir) throws Exception {
    Path run = dir.resolve("r");
    TinyRuns.train(
        TinyRuns.settings(
            "schedule.epochs=1", "head.type=partial_fc", "head.sample_rate=0.5", "loss=cosface"),
        run,
        false,
        TrainingListener.QUIET);
    JsonNode r = Json.mapper().readTree(run.resolve("results.json").toFile());
    assertThat(r.get("steps").asLong()).isEqualTo(4);
    assertThat(r.get("validation").get(0).get("tar_at_far").has("1e-3")).isTrue();
    JsonNode model = Json.mapper().readTree(run.resolve("model/model.json").toFile());
    assertThat(model.get("backbone").asText()).isEqualTo("small");
    assertThat(model.get("sample_shape").toString()).isEqualTo("[3,32,32]");
  }

  /**
   * Training with the exact sparse head follows the same path whether its candidates are screened
   * in bfloat16 or in float32: the same losses at every step, up to float32 round-off.
   */
  @Test
  void theSparseHeadTrainsAlikeWithEitherScreening(@TempDir Path dir) throws Exception {
    List<List<Double>> losses = new ArrayList<>();
    for (String screening : new String[] {"bf16", "fp32"}) {
      Path run = dir.resolve(screening);
      TinyRuns.train(
          TinyRuns.settings(
              "schedule.epochs=1",
              "head.type=sparse",
              "head.block_rows=16",
              "head.screening=" + screening),
          run,
          false,
          TrainingListener.QUIET);
      losses.add(TinyRuns.series(run.resolve("metrics.jsonl"), "loss"));
    }
    assertThat(losses.get(0)).hasSize(4).hasSameSizeAs(losses.get(1));
    for (int t = 0; t < losses.get(0).size(); t++) {
      assertThat(losses.get(0).get(t))
          .as("loss at step %d", t)
          .isCloseTo(losses.get(1).get(t), within(1e-4 * Math.abs(losses.get(1).get(t))));
    }
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings("head.type=sparse", "head.screening=int8"),
                    dir.resolve("bad"),
                    false,
                    TrainingListener.QUIET))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("'int8'");
  }
}
