package io.qmargin.train;

import io.qmargin.Progress;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a training run reports while it runs; the CLI draws a progress bar and prints messages,
 * tests and the library default stay quiet.
 */
public interface TrainingListener {
  /** What a run is about to do, for the header of a log. */
  record Start(
      String data, int classes, int samples, long firstStep, long totalSteps, Path runDirectory) {}

  /** The run starts (or resumes) at {@code start.firstStep()} of {@code start.totalSteps()}. */
  default void started(Start start) {}

  /** A step finished; {@code record} is what goes to metrics.jsonl for logged steps. */
  default void step(long step, Map<String, Object> record) {}

  /**
   * A line for the user (validation results, checkpoints, A3M re-initialisations, skipped files).
   */
  default void message(String text) {}

  /** Progress of sub-tasks such as embedding validation images. */
  default Progress progress() {
    return Progress.NONE;
  }

  TrainingListener QUIET = new TrainingListener() {};
}
