package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.qmargin.EngineTest;
import io.qmargin.loss.LossSpec;
import io.qmargin.loss.VerificationLoss;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dense head's closed-form gradients against autograd through {@link MarginHead} (itself
 * checked by finite differences).
 */
class DenseHeadTest extends EngineTest {

  @ParameterizedTest
  @ValueSource(strings = {"qmargin:alpha=1.5,s=6", "arcface:s=6,m=0.4", "cosface:s=6"})
  void closedFormGradientsEqualAutograd(String spec) {
    VerificationLoss loss = LossSpec.parse(spec);
    Engine.getInstance().setRandomSeed(5);
    NDArray w0 = manager.randomNormal(new Shape(9, 4));
    NDArray xs = manager.randomNormal(new Shape(5, 4));
    NDArray y = manager.create(new long[] {0, 3, 3, 8, 1});
    NDArray wa = w0.duplicate();
    wa.setRequiresGradient(true);
    NDArray xa = xs.duplicate();
    xa.setRequiresGradient(true);
    double expected;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray l = MarginHead.forward(loss, xa, wa, y).get(0);
      expected = l.getFloat();
      gc.backward(l);
    }
    try (DenseHead head = new DenseHead(manager, loss, w0, new SgdSettings(0.9, 5e-4))) {
      NDArray x = xs.duplicate();
      x.setRequiresGradient(true);
      double value;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        HeadStep out = head.forward(x, y);
        value = out.loss().getFloat();
        gc.backward(out.loss());
      }
      assertThat(value).isCloseTo(expected, within(1e-5));
      assertThat(x.getGradient().toFloatArray())
          .containsExactly(xa.getGradient().toFloatArray(), within(1e-5f));
      assertThat(head.lastPrototypeGradient().toFloatArray())
          .containsExactly(wa.getGradient().toFloatArray(), within(1e-5f));
    }
  }
}
