package io.qmargin.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NormalDeviateTest {
  @Test
  void knownQuantiles() {
    assertThat(NormalDeviate.probit(0.5)).isCloseTo(0, within(1e-12));
    assertThat(NormalDeviate.probit(0.975)).isCloseTo(1.959963984540054, within(5e-9));
    assertThat(NormalDeviate.probit(0.025)).isCloseTo(-1.959963984540054, within(5e-9));
    assertThat(NormalDeviate.probit(0.8413447460685429)).isCloseTo(1.0, within(5e-9));
    assertThat(NormalDeviate.probit(1e-6)).isCloseTo(-4.753424308822899, within(1e-8));
    assertThat(NormalDeviate.probit(0.01)).isCloseTo(-2.326347874040841, within(5e-9));
    assertThat(NormalDeviate.probit(0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(NormalDeviate.probit(1)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(NormalDeviate.probit(-0.1)).isNaN();
  }

  @Test
  void monotoneAndSymmetric() {
    double prev = Double.NEGATIVE_INFINITY;
    for (double p = 1e-9; p < 1; p = p < 0.5 ? p * 1.7 : 1 - (1 - p) / 1.7) {
      double z = NormalDeviate.probit(p);
      assertThat(z).isGreaterThan(prev);
      assertThat(NormalDeviate.probit(1 - p)).isCloseTo(-z, within(1e-7));
      prev = z;
      if (1 - p < 1e-9) {
        break;
      }
    }
  }
}
