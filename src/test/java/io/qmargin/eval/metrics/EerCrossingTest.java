package io.qmargin.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EerCrossingTest {
  /*
   * 4 targets, 5 non-targets. From (P_miss, P_fa) = (3/4, 1/5) to (1/4, 2/5): the difference goes
   * from 0.55 to -0.15, so the crossing is 0.55 / 0.7 = 11/14 of the way: P_miss = 3/4 - 11/14 * 1/2
   * = 5/14, and the second point (|-0.15| < 0.55) is the nearer one.
   */
  @Test
  void interpolatesTheSegmentWherePMissMinusPFaChangesSign() {
    assertThat(EerCrossing.reached(4, 5, 1, 1)).isFalse();
    assertThat(EerCrossing.reached(4, 5, 3, 2)).isTrue();
    EerCrossing c = EerCrossing.between(4, 5, 1, 1, 3, 2);
    assertThat(c.eer()).isCloseTo(5.0 / 14, within(1e-15));
    assertThat(c.nearerFirst()).isFalse();
  }

  /* A point exactly on P_miss = P_fa (2/4 missed, 1/2 of 2 false accepts) has reached it; the EER is its rate. */
  @Test
  void aPointOnTheDiagonalIsTheCrossing() {
    assertThat(EerCrossing.reached(4, 2, 2, 1)).isTrue();
    EerCrossing c = EerCrossing.between(4, 2, 1, 0, 2, 1);
    assertThat(c.eer()).isEqualTo(0.5);
    assertThat(c.nearerFirst()).isFalse();
  }
}
