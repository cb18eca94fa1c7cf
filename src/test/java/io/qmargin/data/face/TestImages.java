package io.qmargin.data.face;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Small images encoded in memory for the data tests. */
final class TestImages {
  private TestImages() {}

  /** The shared data folder ../shared/data, or null when this checkout has none. */
  static Path sharedData() {
    Path p = Path.of("..", "shared", "data").toAbsolutePath().normalize();
    return java.nio.file.Files.isDirectory(p.resolve("lfw")) ? p : null;
  }

  /** A w x h image whose pixel (x, y) has colour f(x, y) = 0xRRGGBB. */
  static BufferedImage image(int w, int h, java.util.function.IntBinaryOperator f) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, f.applyAsInt(x, y));
      }
    }
    return img;
  }

  static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (format.equals("jpg") || format.equals("bmp")) {
        BufferedImage rgb =
            new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        rgb.getGraphics().drawImage(img, 0, 0, null);
        img = rgb;
      }
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A binary PGM (P5) with a comment in its header. */
  static byte[] pgm(int w, int h, java.util.function.IntBinaryOperator gray) {
    byte[] head =
        ("P5\n# written by a test\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII);
    byte[] b = new byte[head.length + w * h];
    System.arraycopy(head, 0, b, 0, head.length);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        b[head.length + y * w + x] = (byte) gray.applyAsInt(x, y);
      }
    }
    return b;
  }

  /** Red channel of the 8-bit value v after normalisation. */
  static float norm(int v) {
    return v / 127.5f - 1f;
  }
}
