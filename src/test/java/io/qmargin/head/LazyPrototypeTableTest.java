package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.qmargin.EngineTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    try (LazyPrototypeTable table =
        new LazyPrototypeTable(manager, manager.create(w0, new Shape(C, D)), sgd, 16, cap)) {
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
            assertThat(Math.abs(approx[j] - truth))
                .as("row %d at step %d", j, step)
                .isLessThanOrEqualTo(bound);
          }
          float refined =
              table
                  .refineCosines(
                      manager,
                      manager.create(x, new Shape(1, D)),
                      new int[] {0},
                      new int[] {j},
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

  /**
   * The closed form against the rule it replaces: the same sparse gradients applied by {@link
   * SgdSettings#step} to a dense W and v (zero gradient on the other rows) give the same rows and
   * momentum, step after step, including the rows that never get a gradient.
   */
  @Test
  void closedFormFollowsTheSharedSgdRule() {
    SplittableRandom rnd = new SplittableRandom(11);
    SgdSettings sgd = new SgdSettings(0.9, 5e-3);
    float[] w0 = gaussian(rnd, C * D);
    NDArray w = manager.create(w0, new Shape(C, D));
    NDArray v = manager.zeros(new Shape(C, D));
    try (LazyPrototypeTable table = new LazyPrototypeTable(manager, w, sgd, 16)) {
      for (int step = 0; step < 25; step++) {
        // rows from C/2 on never get a gradient: only the closed form moves them
        int[] rows = rnd.ints(0, C / 2).distinct().limit(1 + rnd.nextInt(6)).toArray();
        float[] g = gaussian(rnd, rows.length * D);
        double lr = 0.05 + 0.1 * rnd.nextDouble();
        table.step(rows, g, lr);
        float[] dense = new float[C * D];
        for (int r = 0; r < rows.length; r++) {
          System.arraycopy(g, r * D, dense, rows[r] * D, D);
        }
        sgd.step(w, v, manager.create(dense, new Shape(C, D)), lr);
        assertThat(table.currentRowValues(all(), false))
            .as("W after step %d", step)
            .containsExactly(w.toFloatArray(), within(1e-5f));
        assertThat(table.currentRowValues(all(), true))
            .as("v after step %d", step)
            .containsExactly(v.toFloatArray(), within(1e-5f));
      }
      float[] untouched =
          Arrays.copyOfRange(table.currentRowValues(all(), false), C / 2 * D, C * D);
      assertThat(untouched)
          .as("decay moved the rows without gradient")
          .isNotEqualTo(Arrays.copyOfRange(w0, C / 2 * D, C * D));
    }
  }

  /**
   * The bfloat16 screening finds the pairs the float32 product finds, with float32 values: after
   * optimizer steps (the bfloat16 copy follows every row write) and after a save and load (it is
   * rebuilt). Low limits, where most pairs pass and a block takes the float32 product, and high
   * ones, where a few pairs pass and get their float32 values pair by pair, are both checked.
   */
  @Test
  void bfloat16ScreeningFindsWhatTheFloat32ProductFinds(@TempDir Path dir) throws IOException {
    int classes = 300;
    int d = 64;
    int b =
        12; // more than MOST_PAIRS_PER_ROW, so that a block can fall back to the float32 product
    SplittableRandom rnd = new SplittableRandom(9);
    SgdSettings sgd = new SgdSettings(0.9, 5e-3);
    NDArray w0 = manager.create(gaussian(rnd, classes * d), new Shape(classes, d));
    try (LazyPrototypeTable bf16 =
            new LazyPrototypeTable(manager, w0, sgd, 16, 2e-3, ScreeningPrecision.BF16);
        LazyPrototypeTable fp32 =
            new LazyPrototypeTable(manager, w0, sgd, 16, 2e-3, ScreeningPrecision.FP32)) {
      for (int step = 0; step < 8; step++) {
        int[] rows = rnd.ints(0, classes).distinct().limit(40).toArray();
        float[] g = gaussian(rnd, rows.length * d);
        bf16.step(rows, g, 0.1);
        fp32.step(rows, g, 0.1);
        assertSameScreening(bf16, fp32, rnd, b, d, "step " + step);
      }
      bf16.save(dir);
      try (LazyPrototypeTable loaded = LazyPrototypeTable.load(manager, dir, sgd, 16, 2e-3)) {
        assertThat(loaded.screeningPrecision()).isEqualTo(ScreeningPrecision.auto());
      }
      try (LazyPrototypeTable loaded =
          LazyPrototypeTable.load(manager, dir, sgd, 16, 2e-3, ScreeningPrecision.BF16)) {
        assertSameScreening(loaded, fp32, rnd, b, d, "after loading");
      }
    }
  }

  private void assertSameScreening(
      LazyPrototypeTable bf16,
      LazyPrototypeTable fp32,
      SplittableRandom rnd,
      int b,
      int d,
      String when) {
    NDArray xs = unitRows(rnd, b, d);
    float[] xT = xs.transpose().duplicate().toFloatArray();
    for (float level : new float[] {-0.2f, 0.3f}) {
      float[] limits = new float[b];
      for (int r = 0; r < b; r++) {
        limits[r] = level + 0.1f * (float) rnd.nextDouble();
      }
      boolean fellBack = false;
      boolean pairByPair = false;
      try (LazyPrototypeTable.Screening a = bf16.screening(xs);
          LazyPrototypeTable.Screening c = fp32.screening(xs)) {
        for (int start = 0; start < bf16.classes(); start += 16) {
          int end = Math.min(bf16.classes(), start + 16);
          long before = a.coarsePairs();
          LazyPrototypeTable.Screened got = a.select(start, end, limits);
          long passed = a.coarsePairs() - before;
          fellBack |= passed > (long) LazyPrototypeTable.MOST_PAIRS_PER_ROW * (end - start);
          pairByPair |=
              passed > 0 && passed <= (long) LazyPrototypeTable.MOST_PAIRS_PER_ROW * (end - start);
          LazyPrototypeTable.Screened want = c.select(start, end, limits);
          float[] raw =
              fp32.approximateCosines(manager, manager.create(xT, new Shape(d, b)), start, end)
                  .toFloatArray();
          Map<Long, Float> found = new HashMap<>();
          for (int e = 0; e < got.flat().length; e++) {
            found.put(got.flat()[e], got.values()[e]);
          }
          for (int e = 0; e < want.flat().length; e++) {
            long f = want.flat()[e];
            if (want.values()[e] > limits[(int) (f % b)] + 1e-5) {
              assertThat(found)
                  .as("%s, limit %s: pair %d of rows %d..", when, level, f, start)
                  .containsKey(f);
              assertThat(found.get(f)).isCloseTo(want.values()[e], within(1e-5f));
            }
          }
          for (int e = 0; e < got.flat().length; e++) {
            long f = got.flat()[e];
            assertThat(got.values()[e])
                .as("%s: value of pair %d", when, f)
                .isCloseTo(raw[(int) f], within(1e-5f))
                .isGreaterThan(limits[(int) (f % b)]);
          }
        }
      }
      assertThat(level < 0 ? fellBack : pairByPair)
          .as("%s, limit %s: the path meant to be tested was taken", when, level)
          .isTrue();
    }
  }

  /**
   * The pilot of a step's first block: k pairs per sample with their float32 raw values; with the
   * float32 product they are exactly each sample's k largest, with the bfloat16 one they are within
   * its error of them.
   */
  @Test
  void topGivesEachSampleItsBestPairsWithFloat32Values() {
    int classes = 200;
    int d = 64;
    int b = 6;
    int k = 5;
    SplittableRandom rnd = new SplittableRandom(4);
    NDArray w0 = manager.create(gaussian(rnd, classes * d), new Shape(classes, d));
    NDArray xs = unitRows(rnd, b, d);
    for (ScreeningPrecision precision : ScreeningPrecision.values()) {
      try (LazyPrototypeTable table =
              new LazyPrototypeTable(manager, w0, new SgdSettings(0.9, 0), 64, 2e-3, precision);
          LazyPrototypeTable.Screening screening = table.screening(xs)) {
        int start = 40;
        int end = 140;
        float[] raw = table.approximateCosines(manager, xs.transpose(), start, end).toFloatArray();
        LazyPrototypeTable.Screened top = screening.top(start, end, k);
        assertThat(top.flat()).hasSize(k * b).isSorted();
        int[] count = new int[b];
        float[] lowest = new float[b];
        Arrays.fill(lowest, Float.MAX_VALUE);
        for (int e = 0; e < top.flat().length; e++) {
          int f = (int) top.flat()[e];
          assertThat(top.values()[e])
              .as("%s: value of pair %d", precision, f)
              .isCloseTo(raw[f], within(1e-5f));
          count[f % b]++;
          lowest[f % b] = Math.min(lowest[f % b], raw[f]);
        }
        for (int r = 0; r < b; r++) {
          float[] column = new float[end - start];
          for (int t = 0; t < column.length; t++) {
            column[t] = raw[t * b + r];
          }
          Arrays.sort(column);
          float kth = column[column.length - k];
          assertThat(count[r]).as("%s: pairs of sample %d", precision, r).isEqualTo(k);
          // bfloat16 may swap pairs whose values lie within its error (about 0.01 here) of each
          // other
          assertThat(lowest[r])
              .as("%s: sample %d", precision, r)
              .isGreaterThanOrEqualTo(precision == ScreeningPrecision.FP32 ? kth : kth - 0.02f);
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

  /** b random unit embeddings of dimension d, as rows. */
  private NDArray unitRows(SplittableRandom rnd, int b, int d) {
    float[] x = new float[b * d];
    for (int i = 0; i < b; i++) {
      System.arraycopy(unit(gaussian(rnd, d)), 0, x, i * d, d);
    }
    return manager.create(x, new Shape(b, d));
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
