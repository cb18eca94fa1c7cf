package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qmargin.EngineTest;
import io.qmargin.loss.LossSpec;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every head type: save and restore continue exactly; A3M's row reset sets rows and clears their
 * momentum.
 */
class HeadCheckpointTest extends EngineTest {
  private static final int C = 40;
  private static final int D = 8;
  private static final int B = 6;

  private TrainableHead head(String type, String loss, long seed) {
    NDArray w = manager.randomNormal(0, 1, new Shape(C, D), ai.djl.ndarray.types.DataType.FLOAT32);
    HeadType kind = HeadType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
    return new HeadSettings(kind, 16, 0.3, new SgdSettings(0.9, 5e-3), ScreeningPrecision.auto())
        .create(manager, LossSpec.parse(loss), w, 7);
  }

  private void steps(TrainableHead h, int from, int count) {
    for (int t = from; t < from + count; t++) {
      SplittableRandom r = new SplittableRandom(t);
      float[] x = new float[B * D];
      long[] y = new long[B];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < B; i++) {
        y[i] = r.nextInt(C);
      }
      try (NDManager sub = manager.newSubManager()) {
        h.forward(sub.create(x, new Shape(B, D)), sub.create(y));
        h.update(0.1);
      }
    }
  }

  private static int[] all() {
    return java.util.stream.IntStream.range(0, C).toArray();
  }

  @ParameterizedTest
  @CsvSource({"dense, arcface", "partial_fc, cosface", "sparse, 'qmargin:alpha=1.5,s=10,m=0.2'"})
  void restoredHeadContinuesExactly(String type, String loss, @TempDir Path dir) throws Exception {
    try (TrainableHead a = head(type, loss, 1);
        TrainableHead b = head(type, loss, 2)) {
      steps(a, 0, 3);
      a.save(dir);
      b.restore(dir);
      assertThat(b.prototypeRows(all())).containsExactly(a.prototypeRows(all()));
      steps(a, 3, 3);
      steps(b, 3, 3);
      assertThat(b.prototypeRows(all())).containsExactly(a.prototypeRows(all()));
    }
  }

  @ParameterizedTest
  @CsvSource({"dense, arcface", "sparse, 'qmargin:alpha=1.5,s=10,m=0.2'"})
  void resetRowsSetsValuesAndClearsMomentum(String type, String loss, @TempDir Path dir)
      throws Exception {
    try (TrainableHead h = head(type, loss, 1)) {
      steps(h, 0, 3);
      int[] rows = {5, 17};
      float[] values = new float[2 * D];
      for (int i = 0; i < values.length; i++) {
        values[i] = i % 3 - 1f;
      }
      h.resetRows(rows, values);
      assertThat(h.prototypeRows(rows)).containsExactly(values);
      // their momentum is zero in the saved optimizer state
      h.save(dir);
      float[] momentum = io.qmargin.io.Npy.read(dir.resolve("momentum.npy")).toFloats();
      for (int r : rows) {
        for (int k = 0; k < D; k++) {
          assertThat(momentum[r * D + k]).isZero();
        }
      }
      assertThat(momentum[0]).isNotZero(); // other rows keep theirs
    }
  }
}
