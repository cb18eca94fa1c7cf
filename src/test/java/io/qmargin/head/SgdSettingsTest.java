package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import io.qmargin.EngineTest;
import org.junit.jupiter.api.Test;

/** The shared SGD rule against PyTorch's update worked out by hand. */
class SgdSettingsTest extends EngineTest {

  /**
   * μ = 0.9, λ = 0.1, η = 0.5, v ← (μ·v + g) + λ·W. First element: v = (0.45 + 0.2) + 0.1 = 0.75, W
   * = 1 − 0.5·0.75 = 0.625. Second: g' = −1 + 0.1·(−2) = −1.2, v = 0 − 1.2 = −1.2, W = −2 + 0.6 =
   * −1.4. Then a second step from there with g = (0, 0): g' = (0.0625, −0.14), v = (0.675 + 0.0625,
   * −1.08 − 0.14) = (0.7375, −1.22), W = (0.625 − 0.36875, −1.4 + 0.61) = (0.25625, −0.79).
   */
  @Test
  void stepIsPyTorchsMomentumSgdWithWeightDecay() {
    SgdSettings sgd = new SgdSettings(0.9, 0.1);
    NDArray w = manager.create(new float[] {1f, -2f});
    NDArray v = manager.create(new float[] {0.5f, 0f});
    NDArray g = manager.create(new float[] {0.2f, -1f});
    sgd.step(w, v, g, 0.5);
    assertThat(v.toFloatArray()).containsExactly(new float[] {0.75f, -1.2f}, within(1e-6f));
    assertThat(w.toFloatArray()).containsExactly(new float[] {0.625f, -1.4f}, within(1e-6f));
    assertThat(g.toFloatArray()).as("the gradient is left as it was").containsExactly(0.2f, -1f);
    sgd.step(w, v, manager.zeros(w.getShape()), 0.5);
    assertThat(v.toFloatArray()).containsExactly(new float[] {0.7375f, -1.22f}, within(1e-6f));
    assertThat(w.toFloatArray()).containsExactly(new float[] {0.25625f, -0.79f}, within(1e-6f));
  }
}
