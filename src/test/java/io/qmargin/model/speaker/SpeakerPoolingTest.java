package io.qmargin.model.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.qmargin.EngineTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statistics pooling (TSTP) and attentive statistics pooling (ASTP) against computations in plain
 * Java doubles, and the Res2Net split of ECAPA-TDNN.
 */
class SpeakerPoolingTest extends EngineTest {

  private NDArray forward(Block block, NDArray x, boolean training) {
    return block
        .forward(new ParameterStore(manager, false), new NDList(x), training)
        .singletonOrThrow();
  }

  /** Features (B, K, T) flattened C-major for a (B, C, T) or (B, C, F, T) array, in doubles. */
  private static double[][][] byFeature(NDArray x) {
    Shape s = x.getShape();
    int b = (int) s.get(0);
    int t = (int) s.get(s.dimension() - 1);
    int k = (int) (s.size() / b / t);
    double[] flat = x.toType(DataType.FLOAT64, false).toDoubleArray();
    double[][][] out = new double[b][k][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < k; j++) {
        System.arraycopy(flat, (i * k + j) * t, out[i][j], 0, t);
      }
    }
    return out;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double a : v) {
      s += a;
    }
    return s / v.length;
  }

  /** torch.var's default: the unbiased estimate, divided by n − 1. */
  private static double unbiasedVariance(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double a : v) {
      s += (a - m) * (a - m);
    }
    return s / (v.length - 1);
  }

  /** TSTP: means then √(unbiased var + 1e-7), per feature, for 3-D and 4-D inputs. */
  @ParameterizedTest
  @ValueSource(strings = {"3", "4"})
  void statisticsPoolingMatchesDoublePrecision(String rank) {
    Shape shape = rank.equals("3") ? new Shape(2, 3, 7) : new Shape(2, 2, 3, 5);
    NDArray x = manager.randomNormal(1f, 3f, shape, DataType.FLOAT32);
    // One constant feature: std = √1e-7 there, the epsilon's only effect.
    x.set(new NDIndex("0, 1"), 2.5f);
    StatisticsPooling pool = new StatisticsPooling();
    pool.initialize(manager, DataType.FLOAT32, shape);
    NDArray y = forward(pool, x, true);
    double[][][] f = byFeature(x);
    int k = f[0].length;
    assertThat(y.getShape()).isEqualTo(new Shape(2, 2L * k));
    assertThat(pool.getOutputShapes(new Shape[] {shape})[0]).isEqualTo(y.getShape());
    double[][] got = rows(y);
    for (int b = 0; b < 2; b++) {
      for (int j = 0; j < k; j++) {
        double m = mean(f[b][j]);
        double sd = Math.sqrt(unbiasedVariance(f[b][j]) + 1e-7);
        assertThat(got[b][j]).as("mean b=%d k=%d", b, j).isCloseTo(m, within(1e-5));
        assertThat(got[b][k + j])
            .as("std b=%d k=%d", b, j)
            .isCloseTo(sd, within(1e-5 * Math.max(1, sd)));
      }
    }
    assertThat(got[0][k + (rank.equals("3") ? 1 : 3)])
        .as("constant feature")
        .isCloseTo(Math.sqrt(1e-7), within(1e-6));
  }

  @Test
  void statisticsPoolingNeedsTwoFrames() {
    StatisticsPooling pool = new StatisticsPooling();
    pool.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 3));
    assertThatThrownBy(() -> forward(pool, manager.ones(new Shape(1, 2, 1)), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 frames");
  }

  /**
   * With the logit layer at zero every frame gets α = 1/T, and ASTP is plain mean and std pooling,
   * with the biased (1/T) variance, with or without global context.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void constantAttentionIsMeanAndStdPooling(boolean globalContext) {
    Shape shape = new Shape(2, 4, 9);
    AttentiveStatisticsPooling pool = new AttentiveStatisticsPooling(4, 3, globalContext);
    pool.initialize(manager, DataType.FLOAT32, shape);
    pool.logitsLayer().getParameters().get("weight").getArray().set(new float[4 * 3]);
    pool.logitsLayer().getParameters().get("bias").getArray().set(new float[4]);
    NDArray x = manager.randomNormal(0.5f, 2f, shape, DataType.FLOAT32);
    double[][] got = rows(forward(pool, x, false));
    double[][][] f = byFeature(x);
    for (int b = 0; b < 2; b++) {
      for (int c = 0; c < 4; c++) {
        double m = mean(f[b][c]);
        double biased = unbiasedVariance(f[b][c]) * (9 - 1) / 9;
        assertThat(got[b][c]).isCloseTo(m, within(1e-5));
        assertThat(got[b][4 + c]).isCloseTo(Math.sqrt(Math.max(biased, 1e-7)), within(1e-5));
      }
    }
  }

  /**
   * ASTP with global context and random weights against the formula in plain Java doubles: h_t =
   * [x_t; μ; σ], e = V·tanh(W·h_t + b) + k, α = softmax_t(e), μ' = Σ α x, σ' = √max(Σ α x² − μ'²,
   * 1e-7).
   */
  @Test
  void globalContextAttentionMatchesDoublePrecision() {
    Engine.getInstance().setRandomSeed(7);
    int batch = 2;
    int c = 3;
    int hidden = 4;
    int t = 6;
    AttentiveStatisticsPooling pool = new AttentiveStatisticsPooling(c, hidden, true);
    pool.initialize(manager, DataType.FLOAT32, new Shape(batch, c, t));
    // Larger weights than the default ±1/√fan-in, so the attention is far from uniform.
    var params = pool.getParameters();
    for (var p : params.values()) {
      p.getArray().set(manager.randomNormal(0f, 1f, p.getShape(), DataType.FLOAT32).toFloatArray());
    }
    double[] w =
        params
            .valueAt(0)
            .getArray()
            .toType(DataType.FLOAT64, false)
            .toDoubleArray(); // (hidden, 3c, 1)
    double[] bw = params.valueAt(1).getArray().toType(DataType.FLOAT64, false).toDoubleArray();
    double[] v =
        params
            .valueAt(2)
            .getArray()
            .toType(DataType.FLOAT64, false)
            .toDoubleArray(); // (c, hidden, 1)
    double[] bv = params.valueAt(3).getArray().toType(DataType.FLOAT64, false).toDoubleArray();
    assertThat(params.valueAt(0).getShape()).isEqualTo(new Shape(hidden, 3 * c, 1));
    assertThat(params.valueAt(2).getShape()).isEqualTo(new Shape(c, hidden, 1));
    NDArray x = manager.randomNormal(0f, 1.5f, new Shape(batch, c, t), DataType.FLOAT32);
    double[][] got = rows(forward(pool, x, true));
    double[][][] f = byFeature(x);
    for (int b = 0; b < batch; b++) {
      double[] mu = new double[c];
      double[] sd = new double[c];
      for (int ch = 0; ch < c; ch++) {
        mu[ch] = mean(f[b][ch]);
        sd[ch] = Math.sqrt(unbiasedVariance(f[b][ch]) + 1e-7);
      }
      double[][] logits = new double[c][t];
      for (int s = 0; s < t; s++) {
        double[] h = new double[3 * c];
        for (int ch = 0; ch < c; ch++) {
          h[ch] = f[b][ch][s];
          h[c + ch] = mu[ch];
          h[2 * c + ch] = sd[ch];
        }
        double[] a = new double[hidden];
        for (int i = 0; i < hidden; i++) {
          double z = bw[i];
          for (int j = 0; j < 3 * c; j++) {
            z += w[i * 3 * c + j] * h[j];
          }
          a[i] = Math.tanh(z);
        }
        for (int ch = 0; ch < c; ch++) {
          double z = bv[ch];
          for (int i = 0; i < hidden; i++) {
            z += v[ch * hidden + i] * a[i];
          }
          logits[ch][s] = z;
        }
      }
      for (int ch = 0; ch < c; ch++) {
        double max = Double.NEGATIVE_INFINITY;
        for (double z : logits[ch]) {
          max = Math.max(max, z);
        }
        double norm = 0;
        for (double z : logits[ch]) {
          norm += Math.exp(z - max);
        }
        double m1 = 0;
        double m2 = 0;
        for (int s = 0; s < t; s++) {
          double alpha = Math.exp(logits[ch][s] - max) / norm;
          m1 += alpha * f[b][ch][s];
          m2 += alpha * f[b][ch][s] * f[b][ch][s];
        }
        double sigma = Math.sqrt(Math.max(m2 - m1 * m1, 1e-7));
        assertThat(got[b][ch]).as("mean b=%d c=%d", b, ch).isCloseTo(m1, within(1e-4));
        assertThat(got[b][c + ch]).as("std b=%d c=%d", b, ch).isCloseTo(sigma, within(1e-4));
      }
    }
  }

  /** Gradients flow to both attention layers. */
  @Test
  void attentionLayersReceiveGradients() {
    AttentiveStatisticsPooling pool = new AttentiveStatisticsPooling(4, 3, true);
    pool.initialize(manager, DataType.FLOAT32, new Shape(2, 4, 5));
    NDArray x = manager.randomNormal(new Shape(2, 4, 5));
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y = forward(pool, x, true);
      gc.backward(y.mul(manager.randomNormal(y.getShape())).sum());
    }
    for (var p : pool.getParameters().values()) {
      if (p.getType() == Parameter.Type.WEIGHT) {
        assertThat(p.getArray().getGradient().abs().sum().getFloat())
            .as(p.getName())
            .isGreaterThan(0f);
      }
    }
  }

  /**
   * Res2Conv1d: 7 layers of width C/8 for scale 8; the last group passes unchanged, the first
   * depends only on the first group, and T is kept.
   */
  @Test
  void res2ConvSplitsChannelsIntoScaleGroups() {
    Shape shape = new Shape(2, 16, 10);
    Res2Conv1d res2 = new Res2Conv1d(16, 3, 2, 8);
    res2.initialize(manager, DataType.FLOAT32, shape);
    assertThat(res2.getChildren().size()).isEqualTo(7);
    assertThat(res2.getParameters().valueAt(0).getShape()).isEqualTo(new Shape(2, 2, 3));
    NDArray x = manager.randomNormal(shape);
    NDArray y = forward(res2, x, false);
    assertThat(y.getShape()).isEqualTo(shape);
    assertThat(y.get(":, 14:16, :").sub(x.get(":, 14:16, :")).abs().max().getFloat()).isEqualTo(0f);
    NDArray changed = x.duplicate();
    changed.set(new NDIndex(":, 2:14, :"), 9f);
    NDArray y2 = forward(res2, changed, false);
    assertThat(y2.get(":, 0:2, :").sub(y.get(":, 0:2, :")).abs().max().getFloat())
        .as("group 0")
        .isEqualTo(0f);
    assertThat(y2.get(":, 2:4, :").sub(y.get(":, 2:4, :")).abs().max().getFloat())
        .as("group 1")
        .isGreaterThan(0f);
  }
}
