package io.qmargin.train;

import io.qmargin.head.TrainableHead;
import io.qmargin.loss.VerificationLoss;

/**
 * The margin ramp ({@code margin_schedule}): before each step the head's loss gets its margin
 * scaled by a factor that is 0 before {@code start_epoch} and rises linearly to 1 over {@code
 * ramp_epochs} (1 throughout when neither is set). A function of the step alone, so it keeps no
 * state.
 */
final class MarginRamp implements RunHook {
  private final TrainConfig.MarginSchedule schedule;
  private final VerificationLoss loss;
  private final TrainableHead head;
  private final long stepsPerEpoch;

  MarginRamp(
      TrainConfig.MarginSchedule schedule,
      VerificationLoss loss,
      TrainableHead head,
      long stepsPerEpoch) {
    this.schedule = schedule;
    this.loss = loss;
    this.head = head;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  @Override
  public void stepStart(long step) {
    head.setLoss(loss.withMarginScale(factor(step)));
  }

  /** The margin's scale at 0-based step {@code step}. */
  double factor(long step) {
    if (schedule.rampEpochs() <= 0 && schedule.startEpoch() <= 0) {
      return 1;
    }
    double epoch = (double) step / stepsPerEpoch;
    if (epoch < schedule.startEpoch()) {
      return 0;
    }
    return schedule.rampEpochs() <= 0
        ? 1
        : Math.min(1, (epoch - schedule.startEpoch()) / schedule.rampEpochs());
  }
}
