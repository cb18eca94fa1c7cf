package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * However a run is interrupted and resumed, it ends with the uninterrupted run's results.json (the
 * throughput aside), validation.jsonl and weights; a finished run's resume changes nothing; a
 * damaged newest checkpoint is passed over; a second run on the same directory is refused.
 */
class ResumeResultsTest {
  @TempDir static Path shared;

  /** The uninterrupted run. */
  private static Path whole;

  /** Crashed after step 6: checkpoints 3 and 4 (the one of step 6 was not written). */
  private static Path crashedAt6;

  /** Crashed after step 8: checkpoints 4 and 6. */
  private static Path crashedAt8;

  @TempDir Path dir;

  /** The runs the tests start from, trained once; each test works on its own copy. */
  @BeforeAll
  static void runs() throws IOException {
    whole = shared.resolve("whole");
    TinyRuns.train(TinyRuns.settings(), whole, false, TrainingListener.QUIET);
    crashedAt6 = shared.resolve("crashed6");
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings(), crashedAt6, false, crashing((step, text) -> step == 6)))
        .hasMessageContaining("simulated crash");
    crashedAt8 = shared.resolve("crashed8");
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings(), crashedAt8, false, crashing((step, text) -> step == 8)))
        .hasMessageContaining("simulated crash");
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

  /**
   * Stops the run by throwing from the listener when {@code stop} says so (a crash at that point).
   */
  private static TrainingListener crashing(java.util.function.BiPredicate<Long, String> stop) {
    return new TrainingListener() {
      @Override
      public void step(long step, Map<String, Object> record) {
        if (stop.test(step, null)) {
          throw new IllegalStateException("simulated crash after step " + step);
        }
      }

      @Override
      public void message(String text) {
        if (stop.test(-1L, text)) {
          throw new IllegalStateException("simulated crash at: " + text);
        }
      }
    };
  }

  /** Captures the run's messages. */
  private static final class Messages implements TrainingListener {
    final List<String> lines = new ArrayList<>();

    @Override
    public void message(String text) {
      lines.add(text);
    }
  }

  /** results.json without its wall-clock throughput, which no two runs share. */
  private static ObjectNode results(Path run) throws IOException {
    ObjectNode r = (ObjectNode) Json.mapper().readTree(run.resolve("results.json").toFile());
    assertThat(r.get("samples_per_second").asDouble()).isPositive();
    r.remove("samples_per_second");
    return r;
  }

  private static void assertEndsLikeTheUninterruptedRun(Path run) throws IOException {
    assertThat(results(run)).isEqualTo(results(whole));
    assertThat(Files.readString(run.resolve("validation.jsonl")))
        .isEqualTo(Files.readString(whole.resolve("validation.jsonl")));
    assertThat(TinyRuns.series(run.resolve("metrics.jsonl"), "loss"))
        .containsExactlyElementsOf(TinyRuns.series(whole.resolve("metrics.jsonl"), "loss"));
    assertThat(Files.readAllBytes(run.resolve("model/backbone.params")))
        .isEqualTo(Files.readAllBytes(whole.resolve("model/backbone.params")));
  }

  @Test
  void aRunResumedMidwayEndsWithTheUninterruptedResults() throws IOException {
    Path run = copy(crashedAt6, "mid");
    TinyRuns.train(TinyRuns.settings(), run, true, TrainingListener.QUIET);
    assertEndsLikeTheUninterruptedRun(run);
  }

  /**
   * Killed after the final checkpoint, during the final validation: the resume completes the
   * writes.
   */
  @Test
  void aRunKilledDuringItsFinalWritesCompletesThem() throws IOException {
    Path run = dir.resolve("final");
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings(),
                    run,
                    false,
                    crashing((step, text) -> text != null && text.startsWith("step 8,"))))
        .hasMessageContaining("simulated crash");
    assertThat(Files.readString(run.resolve("checkpoints/latest")).trim())
        .isEqualTo("step-00000008");
    assertThat(run.resolve("results.json")).doesNotExist();
    TinyRuns.train(TinyRuns.settings(), run, true, TrainingListener.QUIET);
    assertEndsLikeTheUninterruptedRun(run);
  }

  @Test
  void resumingAFinishedRunChangesNothingAndSaysSo() throws IOException {
    Path run = copy(whole, "done");
    byte[] results = Files.readAllBytes(run.resolve("results.json"));
    byte[] validation = Files.readAllBytes(run.resolve("validation.jsonl"));
    byte[] metrics = Files.readAllBytes(run.resolve("metrics.jsonl"));
    Messages m = new Messages();
    TrainingResult r = TinyRuns.train(TinyRuns.settings(), run, true, m);
    assertThat(r.alreadyFinished()).isTrue();
    assertThat(r.steps()).isEqualTo(8);
    assertThat(r.classes()).isEqualTo(16);
    assertThat(r.firstLoss()).isEqualTo(results(whole).get("first_loss").asDouble());
    assertThat(m.lines).singleElement().asString().contains("finished", "nothing to resume");
    assertThat(run.resolve("results.json")).hasBinaryContent(results);
    assertThat(run.resolve("validation.jsonl")).hasBinaryContent(validation);
    assertThat(run.resolve("metrics.jsonl")).hasBinaryContent(metrics);
  }

  @Test
  void aDamagedNewestCheckpointIsPassedOverAndTheRunEndsTheSame() throws IOException {
    Path run = copy(crashedAt8, "damaged");
    Path weights = run.resolve("checkpoints/step-00000006/backbone.params");
    byte[] b = Files.readAllBytes(weights);
    b[b.length / 2] ^= 0x01;
    Files.write(weights, b);
    Messages m = new Messages();
    TinyRuns.train(TinyRuns.settings(), run, true, m);
    assertThat(m.lines.get(0))
        .contains("step-00000006 is damaged", "backbone.params", "falling back to step-00000004");
    assertThat(m.lines.get(1)).contains("resumed from", "step-00000004", "at step 4 of 8");
    assertEndsLikeTheUninterruptedRun(run);
  }

  /**
   * A checkpoint from before manifests is used unverified; an empty state.json in it is a clear
   * error.
   */
  @Test
  void anEmptyStateJsonIsAClearErrorNamingIt() throws IOException {
    Path run = copy(crashedAt6, "legacy");
    Path checkpoint = run.resolve("checkpoints/step-00000004");
    Files.delete(checkpoint.resolve("manifest.json"));
    Files.write(checkpoint.resolve("state.json"), new byte[0]);
    assertThatThrownBy(() -> TinyRuns.train(TinyRuns.settings(), run, true, TrainingListener.QUIET))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(checkpoint.resolve("state.json").toString())
        .hasMessageContaining("empty");
  }

  /** While a run holds its directory, neither a new run nor a resume may write into it. */
  @Test
  void aSecondRunOnTheSameDirectoryIsRefusedWhileTheFirstRuns() throws IOException {
    Path run = dir.resolve("owned");
    List<Throwable> refusals = new ArrayList<>();
    TinyRuns.train(
        TinyRuns.settings(),
        run,
        false,
        new TrainingListener() {
          @Override
          public void step(long step, Map<String, Object> record) {
            if (step == 2) {
              for (boolean resume : new boolean[] {false, true}) {
                try {
                  TinyRuns.train(TinyRuns.settings(), run, resume, TrainingListener.QUIET);
                } catch (Throwable t) {
                  refusals.add(t);
                }
              }
            }
          }
        });
    assertThat(refusals)
        .hasSize(2)
        .allSatisfy(
            t ->
                assertThat(t)
                    .isInstanceOf(UserInputException.class)
                    .hasMessageContaining(
                        "in use by another training run (pid " + ProcessHandle.current().pid()));
    assertThat(TinyRuns.series(run.resolve("metrics.jsonl"), "step"))
        .containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0);
  }

  /**
   * A re-initialisation at the start of a configured epoch runs after that step's checkpoint; a run
   * stopped right after it resumes from that checkpoint, redoes it, and logs it once, not twice.
   */
  @Test
  void anEpochStartReinitialisationIsLoggedOnceAfterAResume() throws IOException {
    List<String> a3m =
        TinyRuns.settings("loss=a3m:alpha=1.25,s=35,m=0.2", "a3m_reinit.at_epochs=[1]");
    Path uninterrupted = dir.resolve("a3m-whole");
    TinyRuns.train(a3m, uninterrupted, false, TrainingListener.QUIET);
    Path stopped = dir.resolve("a3m-stopped");
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    a3m,
                    stopped,
                    false,
                    crashing((step, text) -> text != null && text.startsWith("A3M:"))))
        .hasMessageContaining("simulated crash");
    assertThat(events(stopped)).hasSize(1); // logged, after the checkpoint of step 4
    TinyRuns.train(a3m, stopped, true, TrainingListener.QUIET);
    List<JsonNode> events = events(stopped);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("step").asLong()).isEqualTo(4);
    assertThat(events.get(0).get("trigger").asText()).isEqualTo("epoch_start");
    assertThat(results(stopped)).isEqualTo(results(uninterrupted));
    assertThat(Files.readAllBytes(stopped.resolve("model/backbone.params")))
        .isEqualTo(Files.readAllBytes(uninterrupted.resolve("model/backbone.params")));
  }

  private static List<JsonNode> events(Path run) throws IOException {
    return TinyRuns.lines(run.resolve("metrics.jsonl")).stream()
        .filter(n -> n.has("event"))
        .toList();
  }

  @Test
  void resumeNeedsAnExistingRunAndWritesNothingElsewhere() {
    Path typo = dir.resolve("rnu");
    assertThatThrownBy(
            () -> TinyRuns.train(TinyRuns.settings(), typo, true, TrainingListener.QUIET))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(typo.toString());
    assertThat(typo).doesNotExist();
  }
}
