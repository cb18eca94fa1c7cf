package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.UserInputException;
import io.qmargin.train.LearningRateSchedule.Decay;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
  private static final double EPS = 1e-12;

  @Test
  void polyWithWarmupMatchesInsightfacePolyScheduler() {
    // insightface PolyScheduler: warm-up lr·(t+1)/w... then lr·(1 − (t − w)/(T − w))^2
    var s = new LearningRateSchedule(0.1, 100, 10, Decay.POLY, 2, new long[0], 0.1, 1e-5);
    assertThat(s.at(0)).isCloseTo(0.01, within(EPS));
    assertThat(s.at(9)).isCloseTo(0.1, within(EPS));
    assertThat(s.at(10)).isCloseTo(0.1, within(EPS));
    assertThat(s.at(55)).isCloseTo(0.1 * 0.25, within(EPS)); // halfway: (1 − 45/90)^2
    assertThat(s.at(99)).isCloseTo(0.1 * Math.pow(1 - 89.0 / 90, 2), within(EPS));
  }

  @Test
  void stepDecayMultipliesByGammaAtEachMilestone() {
    var s =
        LearningRateSchedule.of(
            new TrainConfig.Optimizer(0.1, 0.9, 5e-4, 1, 5),
            new TrainConfig.Schedule(20, 0, Decay.STEP, 2, List.of(10.0, 16.0, 18.0), 0.1, 1e-5),
            100);
    assertThat(s.totalSteps()).isEqualTo(2000);
    assertThat(s.at(999)).isCloseTo(0.1, within(EPS));
    assertThat(s.at(1000)).isCloseTo(0.01, within(EPS));
    assertThat(s.at(1600)).isCloseTo(0.001, within(EPS));
    assertThat(s.at(1999)).isCloseTo(1e-4, within(EPS));
  }

  @Test
  void exponentialDecayReachesTheFinalRateGeometrically() {
    var s = new LearningRateSchedule(0.1, 1001, 1, Decay.EXPONENTIAL, 2, new long[0], 0.1, 5e-5);
    assertThat(s.at(1)).isCloseTo(0.1, within(EPS));
    assertThat(s.at(1001)).isCloseTo(5e-5, within(1e-15));
    // geometric: the middle is the geometric mean of the ends
    assertThat(s.at(501)).isCloseTo(Math.sqrt(0.1 * 5e-5), within(1e-12));
  }

  @Test
  void badSettingsAreRejected() {
    // an unknown rule is refused when the config is read, before any data is opened
    assertThatThrownBy(() -> ConfigLoader.load(null, List.of("schedule.decay=cosine")))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "--set schedule.decay=cosine: schedule.decay must be one of poly, step, exponential, constant; got 'cosine'");
    assertThatThrownBy(
            () -> new LearningRateSchedule(0.1, 10, 11, Decay.POLY, 2, new long[0], 0.1, 1e-5))
        .isInstanceOf(UserInputException.class);
  }

  @Test
  void aWarmUpThatDoesNotEndBeforeTheRunEndsIsRefusedNamingBothLengths() {
    var opt = new TrainConfig.Optimizer(0.1, 0.9, 5e-4, 1, 5);
    // 1 epoch of 100 steps with 2 epochs of warm-up: 200 warm-up steps; the rate would only ever
    // rise
    assertThatThrownBy(
            () ->
                LearningRateSchedule.of(
                    opt, new TrainConfig.Schedule(1, 2, Decay.POLY, 2, List.of(), 0.1, 1e-5), 100))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("warm-up (200 steps)")
        .hasMessageContaining("run (100 steps)")
        .hasMessageContaining("schedule.warmup_epochs");
    // a warm-up as long as the run peaks at the last step: refused too
    assertThatThrownBy(
            () ->
                LearningRateSchedule.of(
                    opt, new TrainConfig.Schedule(1, 1, Decay.POLY, 2, List.of(), 0.1, 1e-5), 100))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("warm-up (100 steps)");
    // half an epoch of warm-up: up to 0.1, then poly decay, (1 − 25/50)^2 a quarter of the way from
    // the end
    var s =
        LearningRateSchedule.of(
            opt, new TrainConfig.Schedule(1, 0.5, Decay.POLY, 2, List.of(), 0.1, 1e-5), 100);
    assertThat(s.warmupSteps()).isEqualTo(50);
    assertThat(s.at(49)).isCloseTo(0.1, within(EPS));
    assertThat(s.at(75)).isCloseTo(0.025, within(EPS));
  }

  @Test
  void aRunShorterThanOneStepIsOneStep() {
    // epochs 0.001 of 100 steps: round(0.1) = 0 steps, defined as max(1, ·) = 1 (epochs 0 itself is
    // refused by the config)
    var s =
        LearningRateSchedule.of(
            new TrainConfig.Optimizer(0.1, 0.9, 5e-4, 1, 5),
            new TrainConfig.Schedule(0.001, 0, Decay.POLY, 2, List.of(), 0.1, 1e-5),
            100);
    assertThat(s.totalSteps()).isEqualTo(1);
    assertThat(s.at(0)).isCloseTo(0.1, within(EPS));
  }
}
