package io.qmargin.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import org.junit.jupiter.api.Test;

class LossSpecTest {

  @Test
  void parsesNamesKeysAndDefaults() {
    VerificationLoss q = LossSpec.parse("qmargin:alpha=1.25,s=35,m=0.2");
    assertThat(q.alpha()).isEqualTo(1.25);
    assertThat(q.scale()).isEqualTo(35);
    assertThat(q.priorMargin()).isEqualTo(0.2);
    assertThat(q.margin().isNone()).isTrue();
    assertThat(q.spec()).isEqualTo("qmargin:alpha=1.25,s=35,m=0.2");

    VerificationLoss a = LossSpec.parse("arcface:s=64,m=0.5,easy_margin=true");
    assertThat(a.alpha()).isEqualTo(1.0);
    assertThat(a.margin()).isEqualTo(new TargetMargin(1, 0.5, 0, true, false));

    assertThat(LossSpec.parse("cosface").margin()).isEqualTo(TargetMargin.additive(0.35));
    assertThat(LossSpec.parse("sparsemax").alpha()).isEqualTo(2.0);
    assertThat(LossSpec.parse(" A3M : alpha=1.5 ").alpha()).isEqualTo(1.5);
    assertThat(LossSpec.parse("combined").margin())
        .isEqualTo(new TargetMargin(1.0, 0.3, 0.2, false, false));
    assertThat(LossSpec.parse("entmax:alpha=1").isSparse()).isFalse();
    assertThat(LossSpec.names())
        .containsExactly(
            "normface", "cosface", "arcface", "combined", "entmax", "sparsemax", "qmargin", "a3m");
  }

  @Test
  void rejectsBadSpecsWithMessagesNamingTheProblem() {
    assertThatThrownBy(() -> LossSpec.parse("softmaxx"))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("unknown loss 'softmaxx'");
    assertThatThrownBy(() -> LossSpec.parse("qmargin:beta=2"))
        .hasMessageContaining("unknown key 'beta'")
        .hasMessageContaining("[alpha, s, m]");
    assertThatThrownBy(() -> LossSpec.parse("qmargin:alpha=0.5"))
        .hasMessageContaining("alpha must be in [1, 10]");
    assertThatThrownBy(() -> LossSpec.parse("cosface:s=0")).hasMessageContaining("s must be > 0");
    assertThatThrownBy(() -> LossSpec.parse("cosface:s=-3")).hasMessageContaining("s must be > 0");
    assertThatThrownBy(() -> LossSpec.parse("arcface:m=abc"))
        .hasMessageContaining("m=abc is not a finite number");
    assertThatThrownBy(() -> LossSpec.parse("arcface:easy_margin=yes"))
        .hasMessageContaining("must be true or false");
    assertThatThrownBy(() -> LossSpec.parse("arcface:m=0.5,m=0.4"))
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> LossSpec.parse("arcface:m")).hasMessageContaining("is not key=value");
    assertThatThrownBy(() -> LossSpec.parse("sparsemax:alpha=1.5"))
        .hasMessageContaining("unknown key 'alpha'");
    assertThatThrownBy(() -> LossSpec.parse("")).hasMessageContaining("empty loss spec");
    assertThatThrownBy(() -> LossSpec.parse("qmargin:s=NaN"))
        .hasMessageContaining("not a finite number");
  }
}
