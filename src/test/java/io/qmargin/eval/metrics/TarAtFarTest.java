package io.qmargin.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TarAtFarTest {
  private static TarAtFar at(double far) {
    return new TarAtFar(far, TarAtFar.Convention.STRICT, 0, 0, 0, 0, 0, 0, 1);
  }

  /**
   * FAR >= 1/N decides, with the target as the decimal it was written as (1e-4 * 10000 is 1, not a
   * rounding of it).
   */
  @Test
  void resolvableFromOneOverTheImpostors() {
    assertThat(at(1e-4).resolvable(10_000)).isTrue();
    assertThat(at(1e-4).resolvable(9_999)).isFalse();
    assertThat(at(0.3).resolvable(4)).isTrue(); // 1.2 impostors
    assertThat(at(0.3).resolvable(3)).isFalse(); // 0.9
    assertThat(at(1e-6).impostorsNeeded()).isEqualTo(1_000_000);
    assertThat(at(0.3).impostorsNeeded()).isEqualTo(4);
    assertThat(at(1.0).impostorsNeeded()).isEqualTo(1);
  }
}
