package io.qmargin.train;

import io.qmargin.eval.Progress;
import java.util.Map;

/**
 * What a training run reports while it runs; the CLI draws a progress bar and prints messages,
 * tests and the library default stay quiet.
 */
public interface TrainingListener {
  /** The run starts (or resumes) at {@code firstStep} of {@code totalSteps}. */
  default void started(long firstStep, long totalSteps) {}

  /** A step finished; {@code record} is what goes to metrics.jsonl for logged steps. */
  default void step(long step, Map<String, Object> record) {}

  /** A line for the user (validation results, checkpoints, A3M re-initialisations, skipped files). */
  default void message(String text) {}

  /** Progress of sub-tasks such as embedding validation images. */
  default Progress progress() {
    return Progress.NONE;
  }

  TrainingListener QUIET = new TrainingListener() {};
}
