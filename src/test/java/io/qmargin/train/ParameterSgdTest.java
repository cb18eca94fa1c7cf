package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.qmargin.EngineTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SGD on a linear layer y = W x with L = sum(y): ∂L/∂W_ij = sum_b x_bj, known in closed form. */
class ParameterSgdTest extends EngineTest {
  private static final float[] X = {1, 2, -1, 0.5f, 3, -2}; // (2, 3)

  private Linear layer() {
    Linear l = Linear.builder().setUnits(2).optBias(false).build();
    l.initialize(manager, DataType.FLOAT32, new Shape(2, 3));
    l.getParameters()
        .get("weight")
        .getArray()
        .set(new float[] {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, -0.3f});
    l.getParameters().get("weight").getArray().setRequiresGradient(true);
    return l;
  }

  private void backward(Linear l) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y =
          l.forward(
                  new ParameterStore(manager, false),
                  new NDList(manager.create(X, new Shape(2, 3))),
                  true)
              .singletonOrThrow();
      gc.backward(y.sum());
    }
  }

  /** The same steps in double precision, PyTorch's SGD formulas, with optional clipping. */
  private static double[] reference(int steps, double lr, double mu, double wd, double maxNorm) {
    double[] w = {0.1, 0.2, 0.3, -0.1, -0.2, -0.3};
    double[] g = {
      1 + 0.5, 2 + 3, -1 - 2, 1 + 0.5, 2 + 3, -1 - 2
    }; // column sums of X, per output row
    double norm = 0;
    for (double v : g) {
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    double c = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
    double[] v = new double[6];
    for (int t = 0; t < steps; t++) {
      for (int k = 0; k < 6; k++) {
        double d = c * g[k] + wd * w[k];
        v[k] = t == 0 ? d : mu * v[k] + d;
        w[k] -= lr * v[k];
      }
    }
    return w;
  }

  @Test
  void threeStepsEqualPytorchSgdAndGradientsAreZeroedBetweenSteps() {
    Linear l = layer();
    try (ParameterSgd sgd = new ParameterSgd(manager, l, 0.9, 0.01, 0)) {
      for (int t = 0; t < 3; t++) {
        backward(l);
        double norm = sgd.step(0.05);
        assertThat(norm).isCloseTo(Math.sqrt(2 * (1.5 * 1.5 + 25 + 9)), within(1e-5));
      }
    }
    float[] w = l.getParameters().get("weight").getArray().toFloatArray();
    double[] ref = reference(3, 0.05, 0.9, 0.01, 0);
    for (int k = 0; k < 6; k++) {
      assertThat((double) w[k]).isCloseTo(ref[k], within(1e-6));
    }
  }

  @Test
  void clippingScalesTheGradientToTheMaximumNorm() {
    Linear l = layer();
    try (ParameterSgd sgd = new ParameterSgd(manager, l, 0.9, 0, 1.0)) {
      for (int t = 0; t < 2; t++) {
        backward(l);
        sgd.step(0.1);
      }
    }
    float[] w = l.getParameters().get("weight").getArray().toFloatArray();
    double[] ref = reference(2, 0.1, 0.9, 0, 1.0);
    for (int k = 0; k < 6; k++) {
      assertThat((double) w[k]).isCloseTo(ref[k], within(1e-6));
    }
  }

  @Test
  void savedMomentumContinuesExactly(@TempDir Path dir) throws Exception {
    Linear a = layer();
    try (ParameterSgd sgd = new ParameterSgd(manager, a, 0.9, 0.01, 0)) {
      backward(a);
      sgd.step(0.05);
      sgd.save(dir);
    }
    float[] afterOne = a.getParameters().get("weight").getArray().toFloatArray();
    Linear b = layer();
    b.getParameters().get("weight").getArray().set(afterOne);
    try (ParameterSgd sgd = new ParameterSgd(manager, b, 0.9, 0.01, 0)) {
      sgd.load(dir);
      backward(b);
      sgd.step(0.05);
    }
    float[] w = b.getParameters().get("weight").getArray().toFloatArray();
    double[] ref = reference(2, 0.05, 0.9, 0.01, 0);
    for (int k = 0; k < 6; k++) {
      assertThat((double) w[k]).isCloseTo(ref[k], within(1e-6));
    }
  }
}
