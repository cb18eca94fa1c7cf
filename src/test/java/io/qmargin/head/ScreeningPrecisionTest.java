package io.qmargin.head;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import io.qmargin.Bfloat16;
import io.qmargin.EngineTest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bfloat16 screening must never lose a pair that the float32 product keeps. Checked on vectors
 * built so that bfloat16 rounding errs as far as it can, all in one direction, where the bfloat16
 * product (worked out here bit by bit, {@link Bfloat16}) falls well short of the float32 one.
 */
class ScreeningPrecisionTest extends EngineTest {
  private static final int D = 512;

  @Test
  void roundingDownToBfloat16GivesTheLargestBfloat16NumberNotAbove() {
    SplittableRandom rnd = new SplittableRandom(8);
    for (int i = 0; i < 100_000; i++) {
      float f = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(-30, 30)));
      float r = ScreeningPrecision.roundDownToBfloat16(f);
      assertThat(Float.floatToRawIntBits(r) & 0xFFFF).as("bfloat16 bits of %s", f).isZero();
      assertThat(r).as("below %s", f).isLessThanOrEqualTo(f);
      assertThat(nextBfloat16Up(r)).as("next above %s", r).isGreaterThan(f);
    }
    assertThat(ScreeningPrecision.roundDownToBfloat16(1f)).isEqualTo(1f);
    assertThat(ScreeningPrecision.roundDownToBfloat16(-1f)).isEqualTo(-1f);
    assertThat(ScreeningPrecision.roundDownToBfloat16(-1 - 0x1p-20f)).isEqualTo(-1 - 0x1p-7f);
  }

  /** The limit is lowered by the bound and no further than it needs (about 0.012 near 1). */
  @Test
  void theCoarseLimitLiesBelowTheLimitByTheErrorBound() {
    for (float limit : new float[] {-1f, -0.3f, 0f, 0.1f, 0.5f, 0.999f}) {
      double u = ScreeningPrecision.BF16_UNIT_ROUNDOFF;
      float coarse = ScreeningPrecision.BF16.coarseLimit(limit, D, u, u);
      assertThat(ScreeningPrecision.BF16.coarseLimit(limit, D, 0.0016, 0.0016))
          .as("typical errors")
          .isGreaterThan(coarse)
          .isLessThan(limit);
      double drop = limit - coarse;
      assertThat(drop)
          .as("drop at %s", limit)
          .isGreaterThan(0.0078)
          .isLessThan(0.0078 + 0.0040 * Math.abs(limit) + 0.0085);
    }
  }

  /**
   * Pairs of unit vectors (x, w) that share n elements ±a·(1 + t·2^−7), each of which bfloat16
   * rounds down by almost u = 2^−8 of itself, so that x̃·w̃ falls short of x·w by almost 2u; the
   * rest of each norm sits in one element of its own, so cos = Σ of the shared squares. Among many
   * such pairs, the ones kept are those whose bfloat16 product is so low that a screening limit
   * lowered by the input error alone, without the final rounding of the product, would lose them.
   * Every one of them must be found with a limit just under its float32 cosine.
   */
  @Test
  void adversarialRoundingDoesNotLosePairs() {
    SplittableRandom rnd = new SplittableRandom(21);
    List<float[][]> hard = new ArrayList<>();
    double inputError = 2 * 0x1p-8 + 0x1p-16 + 2e-6; // the bound's input terms, rounded up
    for (int k = 0; k < 40_000 && hard.size() < 32; k++) {
      double a = 0x1p-4 * (1 + rnd.nextInt(8) / 8.0);
      int n =
          1
              + rnd.nextInt(
                  (int) Math.min(D - 2, Math.floor(0.999 / (a * a * (1 + 0x1p-7) * (1 + 0x1p-7)))));
      double t = 0.40 + 0.099 * rnd.nextDouble();
      float[][] xw = pair(rnd, a, n, t);
      double cos = dot(xw[0], xw[1]);
      float limit = (float) (cos - 2e-5);
      double o = emulatedBfloat16Product(xw[0], xw[1]);
      float withoutOutputRounding =
          ScreeningPrecision.roundDownToBfloat16((float) (limit - inputError - 1e-7));
      if (o <= withoutOutputRounding) {
        hard.add(xw);
      }
    }
    assertThat(hard.size()).as("pairs that need the whole bound").isGreaterThanOrEqualTo(8);
    int rows = hard.size();
    float[] flat = new float[rows * D];
    for (int j = 0; j < rows; j++) {
      System.arraycopy(hard.get(j)[1], 0, flat, j * D, D);
    }
    try (LazyPrototypeTable table =
        new LazyPrototypeTable(
            manager,
            manager.create(flat, new Shape(rows, D)),
            new SgdSettings(0.9, 5e-4),
            16,
            LazyPrototypeTable.DEFAULT_APPROXIMATION_CAP,
            ScreeningPrecision.BF16)) {
      for (int j = 0; j < rows; j++) {
        float[] x = hard.get(j)[0];
        double cos = dot(x, hard.get(j)[1]);
        float limit = (float) (cos - 2e-5);
        int start = (j / 16) * 16; // the block of row j
        try (LazyPrototypeTable.Screening s = table.screening(manager.create(x, new Shape(1, D)))) {
          LazyPrototypeTable.Screened got =
              s.select(start, Math.min(rows, start + 16), new float[] {limit});
          assertThat(got.flat())
              .as(
                  "row %d (cos %.6f, bfloat16 product %.6f)",
                  j, cos, emulatedBfloat16Product(x, hard.get(j)[1]))
              .contains((long) (j - start));
        }
      }
    }
  }

  /** x and w as described above: n shared elements, then x's and w's own remainders. */
  private static float[][] pair(SplittableRandom rnd, double a, int n, double t) {
    float[] x = new float[D];
    float[] w = new float[D];
    double shared = 0;
    for (int i = 0; i < n; i++) {
      float e = (float) (a * (1 + t * 0x1p-7) * (rnd.nextBoolean() ? 1 : -1));
      x[i] = e;
      w[i] = e;
      shared += (double) e * e;
    }
    x[D - 2] = (float) Math.sqrt(Math.max(0, 1 - shared));
    w[D - 1] = (float) Math.sqrt(Math.max(0, 1 - shared));
    return new float[][] {x, w};
  }

  /** bf16(Σ bf16(x_i)·bf16(w_i)), the sum in double (float32 adds less than 10^−4 here). */
  private static double emulatedBfloat16Product(float[] x, float[] w) {
    double s = 0;
    for (int i = 0; i < D; i++) {
      s += (double) Bfloat16.round(x[i]) * Bfloat16.round(w[i]);
    }
    return Bfloat16.round((float) s);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static float nextBfloat16Up(float r) {
    int bits = Float.floatToRawIntBits(r);
    if (r >= 0) {
      return Float.intBitsToFloat(bits + 0x10000);
    }
    return r == -0f ? Float.intBitsToFloat(0x10000) : Float.intBitsToFloat(bits - 0x10000);
  }
}
