package io.qmargin.train;

import io.qmargin.Progress;

/** A verification protocol run on the model during or after training. */
public interface Validator {
  /** What it evaluates, for logs and reports (e.g. "LFW pairsDevTest.txt (1,000 pairs)"). */
  String description();

  ValidationResult evaluate(Embedder embedder, Progress progress);

  /**
   * Refuses a validation set that could not give a result (no same or no different pair, an
   * unreadable sample), naming the set and the entry; a run calls it before its first step.
   */
  default void check() {}

  /**
   * A warning when the protocol involves any of the run's training identities (empty: none, or
   * unknown).
   */
  default java.util.Optional<String> overlapWarning(java.util.Set<String> trainingIdentities) {
    return java.util.Optional.empty();
  }
}
