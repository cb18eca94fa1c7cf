package io.qmargin.train;

import java.io.IOException;
import java.util.List;

/**
 * A run's hooks, called in their list's order, with the two the run itself needs by name: the
 * checkpointing (to restore from) and the validation (its last results, and which steps validate).
 */
final class RunHooks implements RunHook {
  private final List<RunHook> all;
  final Checkpointing checkpoints;
  final PeriodicValidation validation;

  RunHooks(List<RunHook> all, Checkpointing checkpoints, PeriodicValidation validation) {
    this.all = List.copyOf(all);
    this.checkpoints = checkpoints;
    this.validation = validation;
  }

  @Override
  public void begin(long firstStep) throws IOException {
    for (RunHook h : all) {
      h.begin(firstStep);
    }
  }

  @Override
  public void epochStart(long epoch) throws IOException {
    for (RunHook h : all) {
      h.epochStart(epoch);
    }
  }

  @Override
  public void stepStart(long step) {
    for (RunHook h : all) {
      h.stepStart(step);
    }
  }

  @Override
  public void stepEnd(StepEnd end) throws IOException {
    for (RunHook h : all) {
      h.stepEnd(end);
    }
  }

  @Override
  public void end(long steps) throws IOException {
    for (RunHook h : all) {
      h.end(steps);
    }
  }
}
