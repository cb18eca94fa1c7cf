package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.qmargin.EngineTest;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lazy table's scoring against plain arithmetic on its current rows: after steps with momentum,
 * every row not listed as exact has an approximate cosine within the stated bound of the true one,
 * the refined cosines equal the true ones, and the current rows follow dense SGD computed by hand.
 */
class LazyPrototypeTableTest extends EngineTest {
  private static final int C = 40;
  private static final int D = 6;

  @ParameterizedTest
  @CsvSource({"2e-3", "0.05", "1e9", "0"})
  void approximateCosinesAreWithinTheBound(double cap) {
    SplittableRandom rnd = new SplittableRandom(5);
    SgdSettings sgd = new SgdSettings(0.9, 5e-3);
    float[] w0 = gaussian(rnd, C * D);
    float[][] dense = {w0.clone(), new float[C * D]}; // W, v by hand
    try (LazyPrototypeTable table = new LazyPrototypeTable(manager, manager.create(w0, new Shape(C, D)), sgd, 16, cap)) {
      for (int step = 0; step < 30; step++) {
        int[] rows = rnd.ints(0, C).distinct().limit(1 + rnd.nextInt(6)).toArray();
        float[] g = gaussian(rnd, rows.length * D);
        double lr = 0.05 + 0.1 * rnd.nextDouble();
        table.step(rows, g, lr);
        denseSgd(dense, rows, g, lr, sgd);

        float[] x = unit(gaussian(rnd, D));
        float[] current = table.currentRowValues(all(), false);
        assertThat(current).containsExactly(dense[0], within(1e-5f));
        NDArray xT = manager.create(x, new Shape(D, 1));
        float[] approx = table.approximateCosines(manager, xT, 0, C).toFloatArray();
        boolean[] exact = table.exactMask();
        double bound = table.approximationBound();
        int approximated = 0;
        for (int j = 0; j < C; j++) {
          double truth = cosine(x, current, j);
          if (!exact[j]) {
            approximated++;
            assertThat(Math.abs(approx[j] - truth)).as("row %d at step %d", j, step).isLessThanOrEqualTo(bound);
          }
          float refined = table.refineCosines(manager, manager.create(x, new Shape(1, D)), new int[] {0}, new int[] {j},
              new float[] {approx[j]})[0];
          if (!exact[j]) {
            assertThat(refined).as("refined row %d", j).isCloseTo((float) truth, within(2e-6f));
          }
        }
        if (cap > 1) {
          assertThat(approximated).as("no row is scored exactly without a cap").isEqualTo(C);
        }
        if (cap == 0 && step > 3) {
          assertThat(approximated).as("only rows that never moved are approximated").isLessThan(C);
        }
      }
    }
  }

  private static void denseSgd(float[][] state, int[] rows, float[] g, double lr, SgdSettings sgd) {
    float[] grad = new float[C * D];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(g, r * D, grad, rows[r] * D, D);
    }
    for (int i = 0; i < C * D; i++) {
      double gi = grad[i] + sgd.weightDecay() * state[0][i];
      state[1][i] = (float) (sgd.momentum() * state[1][i] + gi);
      state[0][i] = (float) (state[0][i] - lr * state[1][i]);
    }
  }

  private static double cosine(float[] x, float[] rows, int j) {
    double dot = 0;
    double n = 0;
    for (int t = 0; t < D; t++) {
      dot += x[t] * rows[j * D + t];
      n += rows[j * D + t] * rows[j * D + t];
    }
    return dot / Math.sqrt(n);
  }

  private static float[] gaussian(SplittableRandom rnd, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) rnd.nextGaussian();
    }
    return out;
  }

  private static float[] unit(float[] x) {
    double n = 0;
    for (float v : x) {
      n += v * v;
    }
    for (int i = 0; i < x.length; i++) {
      x[i] /= (float) Math.sqrt(n);
    }
    return x;
  }

  private static int[] all() {
    return java.util.stream.IntStream.range(0, C).toArray();
  }
}
