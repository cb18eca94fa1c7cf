package io.qmargin.data.face;

/**
 * A decoded 8-bit image before preprocessing: {@code rgb[y * width + x] = 0xRRGGBB}. Grayscale
 * images are stored with R = G = B.
 */
public record RgbImage(int width, int height, int[] rgb) {
  public RgbImage {
    if (width < 1 || height < 1 || rgb.length != width * height) {
      throw new IllegalArgumentException(
          "bad image size " + width + " x " + height + " for " + rgb.length + " pixels");
    }
  }
}
