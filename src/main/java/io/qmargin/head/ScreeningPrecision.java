package io.qmargin.head;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The number format of the sparse head's screening product, the one pass over all C prototypes per
 * step that finds each sample's candidate classes. Either way the head gets the same pairs, with
 * float32 values: the format only decides how fast they are found.
 *
 * <p>{@code FP32}: the product on the float32 prototypes, compared with each sample's limit L.
 *
 * <p>{@code BF16}: the unit prototypes are kept a second time in bfloat16 (C·d·2 bytes more memory)
 * and each step's embeddings are rounded to bfloat16. A block's product in bfloat16 is compared
 * with a limit lowered by its error bound ({@link #coarseLimit}); only the pairs that pass get
 * their value in float32, one dot product each, and are compared with L. On CPUs with bfloat16
 * instructions the bfloat16 product is faster than the float32 one (docs/benchmarks.md has the
 * figures and the command that measures them).
 */
public enum ScreeningPrecision {
  BF16,
  FP32;

  /** Unit round-off of bfloat16 (8 significant bits, round to nearest). */
  static final double BF16_UNIT_ROUNDOFF = 0x1p-8;

  /**
   * A bfloat16 limit L_c such that every pair of unit vectors whose float32 dot product exceeds
   * {@code limit} has a bfloat16 product above L_c. With u = 2^−8, γ = (d + 1)·2^−24/(1 − (d +
   * 1)·2^−24), and ρ_x = |x − x̃|, ρ_w = |w − w̃| the rounding errors of the two vectors (at most u
   * each):
   *
   * <ul>
   *   <li>the float32 dot product is within γ·|x|·|w| of ⟨x, w⟩;
   *   <li>rounding to bfloat16 changes ⟨x, w⟩ by |⟨x̃ − x, w̃⟩ + ⟨x, w̃ − w⟩| ≤ ρ_x·(|w| + ρ_w) +
   *       |x|·ρ_w;
   *   <li>the bfloat16 products are exact in float32 and summed in float32, within γ·|x̃|·|w̃|;
   *   <li>the sum s is rounded to bfloat16 once more, to within u·|s|, and rounding is monotone.
   *   <li>The engine subtracts L_c inside the product (addmm) and keeps the positive entries: if
   *       −L_c enters the float32 sum, that adds at most γ·|L_c| ≤ γ·(|L| + 1) to the error and the
   *       final rounding keeps the sign; if it is subtracted after the rounding, the test is
   *       bf16(s) &gt; L_c. Both are covered by adding γ·(|L| + 1) to E.
   * </ul>
   *
   * So float32 value &gt; L implies s &gt; M = L − E (E the first three terms and the last) and
   * bf16(s) ≥ M − u·|M|; L_c lies strictly below that, rounded down to a bfloat16 number so that
   * the engine takes it as it is. |x|, |w| ≤ 1 + 10^−6 for float32 unit vectors; the errors as
   * computed in float32 are raised by 10^−4 of themselves; a margin of 10^−7 also covers bfloat16
   * instructions that flush numbers below 2^−126 to zero.
   *
   * @param xError ρ_x, or u if unknown
   * @param wError ρ_w (the largest over the rows screened), or u if unknown
   */
  public float coarseLimit(float limit, int dim, double xError, double wError) {
    double u = BF16_UNIT_ROUNDOFF;
    double gamma = (dim + 1) * 0x1p-24 / (1 - (dim + 1) * 0x1p-24);
    double norm = 1 + 1e-6;
    double rx = xError * (1 + 1e-4);
    double rw = wError * (1 + 1e-4);
    double e =
        gamma * norm * norm * (1 + (1 + u) * (1 + u))
            + rx * (norm + rw)
            + norm * rw
            + gamma * (Math.abs(limit) + 1);
    double m = limit - e;
    double below = m - u * Math.abs(m) - 1e-7;
    float f = (float) below;
    if (f > below) {
      f = Math.nextDown(f);
    }
    return roundDownToBfloat16(f);
  }

  /**
   * The largest bfloat16 number ≤ f, as a float: compared with bfloat16 values, "&gt; it" keeps
   * every value "&gt; f", and the engine converts it to bfloat16 without rounding.
   */
  static float roundDownToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    float truncated = Float.intBitsToFloat(bits & 0xFFFF0000); // towards zero
    if (truncated <= f) {
      return truncated;
    }
    return Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000); // negative: one step away from zero
  }

  /**
   * Parses {@code auto}, {@code bf16} or {@code fp32}; auto (also for null: configs written before
   * the setting existed) picks bf16 where the CPU has bfloat16 instructions.
   */
  public static ScreeningPrecision parse(String name) {
    if (name == null) {
      return auto();
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "auto" -> auto();
      case "bf16", "bfloat16" -> BF16;
      case "fp32", "float32" -> FP32;
      default ->
          throw new UserInputException(
              "screening precision must be auto, bf16 or fp32, got '" + name + "'");
    };
  }

  /**
   * bf16 where the CPU multiplies bfloat16 natively (x86 flags avx512_bf16 or amx_bf16 in
   * /proc/cpuinfo); float32 elsewhere, where a bfloat16 product would be emulated and slower.
   */
  public static ScreeningPrecision auto() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    try {
      if (Files.isReadable(cpuinfo)) {
        for (String line : Files.readAllLines(cpuinfo)) {
          if (line.startsWith("flags")
              && (line.contains(" avx512_bf16") || line.contains(" amx_bf16"))) {
            return BF16;
          }
        }
      }
    } catch (IOException e) {
      return FP32;
    }
    return FP32;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
