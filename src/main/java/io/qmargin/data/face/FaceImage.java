package io.qmargin.data.face;

/**
 * One preprocessed face sample: {@code chw} holds 3 x height x width floats (channel-major RGB,
 * rows top to bottom) in [-1, 1], i.e. {@code v / 127.5 - 1} of the 8-bit value. Grayscale sources
 * are replicated to 3 channels. {@code source} names where the image came from (a path, or {@code
 * train.rec#1234}) so errors and reports can point at it.
 */
public record FaceImage(float[] chw, int height, int width, int label, String source) {
  public FaceImage {
    if (chw.length != 3 * height * width) {
      throw new IllegalArgumentException(
          "chw has " + chw.length + " values, expected 3 x " + height + " x " + width);
    }
  }

  /** The value of channel {@code c} (0 red, 1 green, 2 blue) at row {@code y}, column {@code x}. */
  public float at(int c, int y, int x) {
    return chw[(c * height + y) * width + x];
  }
}
