package io.qmargin;

/** bfloat16 arithmetic done bit by bit, as an independent reference for the engine's. */
public final class Bfloat16 {
  private Bfloat16() {}

  /**
   * f rounded to bfloat16 (to nearest, ties to even, on the upper 16 bits), as a float; finite f.
   */
  public static float round(float f) {
    int bits = Float.floatToRawIntBits(f);
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(rounded & 0xFFFF0000);
  }
}
