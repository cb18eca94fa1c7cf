package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Something a training run does around its steps, in the shape of DJL's {@code TrainingListener}:
 * the margin ramp, A3M re-initialisation, the metrics log, validation and checkpoints are hooks,
 * and {@link TrainingRun} calls them in the order it lists them. A hook with state between steps
 * names it ({@link #stateName}) and contributes one JSON object to the checkpoint's {@code
 * state.json} ({@link #saveState}), given back on resume ({@link #restoreState}); {@link
 * Checkpointing} writes and reads that file. Steps are counted from 0 in {@link #stepStart} and
 * {@link #stepEnd} receives the step just finished.
 */
interface RunHook {
  /**
   * What a finished step leaves: its 0-based number, learning rate, outcome, samples and timings.
   */
  record StepEnd(
      long step,
      long epoch,
      double lr,
      TrainStep.Outcome outcome,
      int samples,
      double seconds,
      double dataWaitSeconds) {
    /**
     * The number of steps done once this one is (the 1-based step that logs and checkpoints name).
     */
    long done() {
      return step + 1;
    }
  }

  /** The run starts (or resumes) at 0-based step {@code firstStep}, after any restore. */
  default void begin(long firstStep) throws IOException {}

  /** Epoch {@code epoch} starts (before the batch of its first step is taken). */
  default void epochStart(long epoch) throws IOException {}

  /** Step {@code step} is about to run. */
  default void stepStart(long step) {}

  default void stepEnd(StepEnd end) throws IOException {}

  /** The loop is over: every step is done. */
  default void end(long steps) throws IOException {}

  /** The name of this hook's object in {@code state.json}; null when the hook keeps no state. */
  default String stateName() {
    return null;
  }

  /** This hook's state, as JSON-serialisable values. */
  default Map<String, Object> saveState() {
    return Map.of();
  }

  /** Restores what {@link #saveState} wrote; {@code file} names the state file in errors. */
  default void restoreState(JsonNode state, Path file) {}

  /** {@code key} of a hook's state, or a clear error naming the state file. */
  static JsonNode require(JsonNode state, String key, Path file) {
    if (!state.has(key)) {
      throw new UserInputException(
          file + ": no '" + key + "' (not a checkpoint state, or damaged)");
    }
    return state.get(key);
  }
}
