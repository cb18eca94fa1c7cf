package io.qmargin.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.qmargin.EngineTest;
import io.qmargin.model.speaker.StatisticsPooling;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gradients through numbers stay right when the garbage collector runs between the forward and the
 * backward pass (where DJL's own Number overloads let the backward read freed memory).
 */
class ScalarsTest extends EngineTest {
  private final List<ByteBuffer> churn = new ArrayList<>();

  /**
   * A collection, then small direct buffers holding 1e30: what a freed 4-byte scalar may turn into.
   */
  private void collectAndReuse() throws InterruptedException {
    for (int k = 0; k < 3; k++) {
      System.gc();
      Thread.sleep(10);
    }
    for (int k = 0; k < 2000; k++) {
      ByteBuffer b = ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.nativeOrder());
      b.putFloat(0, 1e30f);
      churn.add(b);
    }
  }

  @Test
  void divisionByAScalarHasTheRightGradientAfterACollection() throws Exception {
    for (int repeat = 0; repeat < 5; repeat++) {
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.randomNormal(new Shape(100));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray y = x.div(Scalars.of(x, 3)).maximum(Scalars.of(x, -1e30)).mul(Scalars.of(x, 2));
          collectAndReuse();
          gc.backward(y.sum());
        }
        for (float g : x.getGradient().toFloatArray()) {
          assertThat((double) g).as("repeat %d", repeat).isCloseTo(2.0 / 3, within(1e-6));
        }
      }
    }
  }

  @Test
  void scalarsTakeTheOperandsTypeAndManager() {
    NDArray d = manager.create(new double[] {1, 2});
    NDArray s = Scalars.of(d, 0.1);
    assertThat(s.getDataType()).isEqualTo(DataType.FLOAT64);
    assertThat(s.getShape()).isEqualTo(new Shape());
    assertThat(s.getDouble()).isEqualTo(0.1);
    assertThat(s.getManager()).isSameAs(d.getManager());
    assertThat(Scalars.of(manager.create(new float[] {1}), 0.1).getDataType())
        .isEqualTo(DataType.FLOAT32);
  }

  /**
   * Statistics pooling over T = 5 frames, L = Σ std: ∂L/∂x_t = (x_t − mean)/((T − 1)·std) per
   * channel, the same with a collection between the passes (the unbiased variance divides by T −
   * 1).
   */
  @Test
  void statisticsPoolingGradientSurvivesACollection() throws Exception {
    int frames = 5;
    StatisticsPooling pool = new StatisticsPooling();
    pool.initialize(manager, DataType.FLOAT32, new Shape(2, 3, frames));
    ParameterStore store = new ParameterStore(manager, false);
    for (int repeat = 0; repeat < 5; repeat++) {
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.randomNormal(new Shape(2, 3, frames));
        x.setRequiresGradient(true);
        float[] v = x.toFloatArray();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray out = pool.forward(store, new NDList(x), true).singletonOrThrow();
          NDArray std = out.get(":, 3:");
          collectAndReuse();
          gc.backward(std.sum());
        }
        float[] g = x.getGradient().toFloatArray();
        for (int row = 0; row < 6; row++) {
          double mean = 0;
          for (int t = 0; t < frames; t++) {
            mean += v[row * frames + t] / frames;
          }
          double ss = 0;
          for (int t = 0; t < frames; t++) {
            ss += (v[row * frames + t] - mean) * (v[row * frames + t] - mean);
          }
          double std = Math.sqrt(ss / (frames - 1) + StatisticsPooling.VARIANCE_EPSILON);
          for (int t = 0; t < frames; t++) {
            double want = (v[row * frames + t] - mean) / ((frames - 1) * std);
            assertThat((double) g[row * frames + t])
                .as("repeat %d, row %d, t %d", repeat, row, t)
                .isCloseTo(want, within(1e-4));
          }
        }
      }
    }
  }
}
