package io.qmargin.train;

import com.fasterxml.jackson.annotation.JsonValue;
import io.qmargin.EnumWords;
import io.qmargin.UserInputException;
import java.util.Objects;

/**
 * The learning rate at each step: linear warm-up from 0 over the first {@code warmupSteps}, then
 *
 * <ul>
 *   <li>{@code poly}: η·(1 − (t − w)/(T − w))^power (insightface's PolyScheduler, power 2);
 *   <li>{@code step}: η·γ^k, k = number of milestones (in epochs) already passed;
 *   <li>{@code exponential}: η·(η_final/η)^((t − w)/(T − w)) (wespeaker's ExponentialDecrease);
 *   <li>{@code constant}: η.
 * </ul>
 *
 * t is the 0-based step, T the total number of steps, w the warm-up steps. A warm-up must end
 * before the last step (w &lt; T, or w = 0): a longer one would leave the rate rising for the whole
 * run, never reaching its decay, so it is refused.
 */
public record LearningRateSchedule(
    double baseLr,
    long totalSteps,
    long warmupSteps,
    Decay decay,
    double power,
    long[] milestoneSteps,
    double gamma,
    double finalLr) {

  /** The rule after the warm-up ({@code schedule.decay}), spelt in lower case as in the config. */
  public enum Decay {
    POLY,
    STEP,
    EXPONENTIAL,
    CONSTANT;

    @JsonValue
    @Override
    public String toString() {
      return EnumWords.word(this);
    }
  }

  public LearningRateSchedule {
    Objects.requireNonNull(decay, "decay");
    if (!(baseLr > 0) || totalSteps < 1 || warmupSteps < 0) {
      throw new UserInputException(
          "need lr > 0, at least one step and no negative warm-up (lr "
              + baseLr
              + ", steps "
              + totalSteps
              + ", warm-up steps "
              + warmupSteps
              + ")");
    }
    if (warmupSteps > 0 && warmupSteps >= totalSteps) {
      throw new UserInputException(
          "the warm-up ("
              + warmupSteps
              + " steps) is not shorter than the run ("
              + totalSteps
              + " steps), so the learning rate would never leave its warm-up: shorten schedule.warmup_epochs or lengthen "
              + "schedule.epochs");
    }
    if (decay == Decay.EXPONENTIAL && !(finalLr > 0)) {
      throw new UserInputException(
          "schedule.final_lr must be > 0 for exponential decay, got " + finalLr);
    }
  }

  /** The schedule of a run of {@code max(1, round(epochs × stepsPerEpoch))} steps. */
  public static LearningRateSchedule of(
      TrainConfig.Optimizer opt, TrainConfig.Schedule s, long stepsPerEpoch) {
    long total = Math.max(1, Math.round(s.epochs() * stepsPerEpoch));
    long warm = Math.round(s.warmupEpochs() * stepsPerEpoch);
    long[] milestones =
        s.milestones().stream().mapToLong(e -> Math.round(e * stepsPerEpoch)).sorted().toArray();
    return new LearningRateSchedule(
        opt.lr(), total, warm, s.decay(), s.power(), milestones, s.gamma(), s.finalLr());
  }

  public double at(long step) {
    if (step < warmupSteps) {
      return baseLr * (step + 1) / warmupSteps;
    }
    double progress =
        (double) (step - warmupSteps) / (totalSteps - warmupSteps); // w < T: see the constructor
    progress = Math.min(1, Math.max(0, progress));
    return switch (decay) {
      case POLY -> baseLr * Math.pow(1 - progress, power);
      case EXPONENTIAL -> baseLr * Math.pow(finalLr / baseLr, progress);
      case STEP -> {
        int passed = 0;
        for (long m : milestoneSteps) {
          if (step >= m) {
            passed++;
          }
        }
        yield baseLr * Math.pow(gamma, passed);
      }
      case CONSTANT -> baseLr;
    };
  }
}
