package io.qmargin.eval.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class SpreadTest {
  @Test
  void meanSampleSdAndRangeByHand() {
    // 0.02, 0.03, 0.07: mean 0.04; squared deviations 4e-4, 1e-4, 9e-4 sum 1.4e-3; / (3 - 1) =
    // 7e-4; sd sqrt(7e-4) = 0.0264575...
    Spread s = Spread.of(new double[] {0.03, 0.07, 0.02});
    assertThat(s.runs()).isEqualTo(3);
    assertThat(s.mean()).isCloseTo(0.04, offset(1e-15));
    assertThat(s.sd()).isCloseTo(Math.sqrt(7e-4), offset(1e-15));
    assertThat(s.min()).isEqualTo(0.02);
    assertThat(s.max()).isEqualTo(0.07);
  }

  @Test
  void oneRunHasNoSpreadAndAnUnresolvedFigureStaysUnresolved() {
    Spread one = Spread.of(new double[] {0.5});
    assertThat(one.sd()).isZero();
    assertThat(one.min()).isEqualTo(0.5);
    assertThat(Spread.of(new double[] {0.5, Double.NaN}).mean()).isNaN();
    assertThat(Spread.of(new double[] {0.5, Double.NaN}).sd()).isNaN();
  }
}
