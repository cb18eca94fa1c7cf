package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's state.json holds the step, the seed and one object per stateful run hook; a
 * state.json in the flat layout of earlier versions (every hook's keys at the top) resumes the
 * same.
 */
class CheckpointStateTest {
  @TempDir Path dir;

  @Test
  void stateJsonHoldsOneObjectPerHookAndTheFlatLayoutResumesTheSame() throws IOException {
    Path crashed = dir.resolve("crashed");
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings(),
                    crashed,
                    false,
                    new TrainingListener() {
                      @Override
                      public void step(long step, Map<String, Object> record) {
                        if (step == 6) {
                          throw new IllegalStateException("simulated crash after step 6");
                        }
                      }
                    }))
        .hasMessageContaining("simulated crash");
    Path checkpoint = crashed.resolve("checkpoints/step-00000004");
    JsonNode state = Json.mapper().readTree(checkpoint.resolve("state.json").toFile());
    assertThat(state.get("step").asLong()).isEqualTo(4);
    assertThat(state.get("seed").asLong())
        .isEqualTo(ConfigLoader.bind(TinyRuns.tree(TinyRuns.settings()), "t").seed());
    // 4 steps of batch 16 with nothing skipped; no re-initialisation configured
    assertThat(state.get("totals").get("loss_steps").asLong()).isEqualTo(4);
    assertThat(state.get("totals").get("samples").asLong()).isEqualTo(64);
    assertThat(state.get("totals").get("skipped").asLong()).isZero();
    assertThat(state.get("a3m").get("a3m_reinits").asInt()).isZero();
    assertThat(state.get("a3m").get("a3m_reinit_epochs")).isEmpty();

    Path nested = copy(crashed, "nested");
    Path flat = copy(crashed, "flat");
    flatten(flat.resolve("checkpoints/step-00000004"));
    flatten(flat.resolve("checkpoints/step-00000003"));
    TinyRuns.train(TinyRuns.settings(), nested, true, TrainingListener.QUIET);
    TinyRuns.train(TinyRuns.settings(), flat, true, TrainingListener.QUIET);

    assertThat(results(flat)).isEqualTo(results(nested));
    assertThat(Files.readAllBytes(flat.resolve("model/backbone.params")))
        .isEqualTo(Files.readAllBytes(nested.resolve("model/backbone.params")));
  }

  /** Rewrites state.json in the earlier flat layout, with a matching manifest. */
  private static void flatten(Path checkpoint) throws IOException {
    Path file = checkpoint.resolve("state.json");
    ObjectNode state = (ObjectNode) Json.mapper().readTree(file.toFile());
    ObjectNode out = Json.mapper().createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isObject()) {
        out.setAll((ObjectNode) e.getValue());
      } else {
        out.set(e.getKey(), e.getValue());
      }
    }
    assertThat(out.has("a3m_steps_above") && out.has("first_loss") && !out.has("totals")).isTrue();
    Files.writeString(file, Json.pretty(out));
    CheckpointManifest.write(checkpoint);
  }

  private Path copy(Path run, String name) throws IOException {
    Path target = dir.resolve(name);
    try (var files = Files.walk(run)) {
      for (Path f : files.toList()) {
        Files.copy(f, target.resolve(run.relativize(f).toString()));
      }
    }
    return target;
  }

  /** results.json without its wall-clock throughput. */
  private static ObjectNode results(Path run) throws IOException {
    ObjectNode r = (ObjectNode) Json.mapper().readTree(run.resolve("results.json").toFile());
    r.remove("samples_per_second");
    assertThat(r.get("first_loss").asDouble()).isFinite();
    return r;
  }
}
