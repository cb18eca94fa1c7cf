package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Checkpoints: after every epoch, every validation step (before its validation runs) and every
 * {@code checkpoint_every_steps} steps, the step's weights, optimizer and head ({@link
 * TrainStep#save}) and {@code state.json} go into a {@link RunDirectory} checkpoint. This class
 * alone writes and reads {@code state.json}:
 *
 * <pre>
 *   {"step": 12, "seed": 2026, "random_state": "...", "totals": {...}, "a3m": {...}}
 * </pre>
 *
 * one object per stateful hook under its {@link RunHook#stateName}. Everything random derives from
 * (seed, step), so no generator state is stored. A state.json of earlier versions keeps every
 * hook's keys at the top level; each hook then reads its keys from there.
 */
final class Checkpointing implements RunHook {
  private static final String STATE = "state.json";

  private final RunDirectory dir;
  private final TrainStep step;
  private final long seed;
  private final List<RunHook> stateful;
  private final long stepsPerEpoch;
  private final long every;
  private final LongPredicate validatesAfter;

  /**
   * @param hooks the run's hooks, whose states the checkpoint carries
   * @param validatesAfter whether a (1-based) step ends with a validation, which needs a checkpoint
   *     first
   */
  Checkpointing(
      RunDirectory dir,
      TrainStep step,
      long seed,
      List<RunHook> hooks,
      long stepsPerEpoch,
      long checkpointEvery,
      LongPredicate validatesAfter) {
    this.dir = dir;
    this.step = step;
    this.seed = seed;
    this.stateful = hooks.stream().filter(h -> h.stateName() != null).toList();
    this.stepsPerEpoch = stepsPerEpoch;
    this.every = Math.max(1, checkpointEvery);
    this.validatesAfter = validatesAfter;
  }

  @Override
  public void stepEnd(StepEnd end) throws IOException {
    long done = end.done();
    if (done % stepsPerEpoch == 0 || validatesAfter.test(done) || done % every == 0) {
      save(done);
    }
  }

  private void save(long done) throws IOException {
    dir.writeCheckpoint(
        done,
        d -> {
          step.save(d);
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("step", done);
          s.put("seed", seed);
          s.put(
              "random_state", "every random draw derives from (seed, step): nothing else to store");
          for (RunHook h : stateful) {
            s.put(h.stateName(), h.saveState());
          }
          AtomicFiles.writeString(d.resolve(STATE), Json.pretty(s));
        },
        TrainingRun.KEEP_CHECKPOINTS);
  }

  /**
   * Restores the step's weights and every hook's state from {@code checkpoint}; returns its step.
   */
  long restore(Path checkpoint) throws IOException {
    Path file = checkpoint.resolve(STATE);
    JsonNode s = RunDirectory.readJsonObject(file);
    long done = RunHook.require(s, "step", file).asLong();
    long written = RunHook.require(s, "seed", file).asLong();
    if (written != seed) {
      throw new UserInputException(
          checkpoint + ": written with seed " + written + ", the config has " + seed);
    }
    for (RunHook h : stateful) {
      h.restoreState(s.has(h.stateName()) ? s.get(h.stateName()) : s, file);
    }
    step.restore(checkpoint);
    return done;
  }
}
