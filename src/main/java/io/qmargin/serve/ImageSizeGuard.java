package io.qmargin.serve;

import io.qmargin.UserInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Guards against decompression bombs: reads an uploaded image's width and height from its header
 * with the ImageIO reader of its format (no pixel is decoded) and refuses it when their product
 * exceeds a limit. A PNG or JPEG of a few kilobytes can declare 100,000 x 100,000 pixels, which
 * decoding would try to hold as tens of gigabytes.
 */
public final class ImageSizeGuard {
  /** A default limit: 40 megapixels, far above any aligned face crop. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  private final long maxPixels;

  /** The header's facts. */
  public record Header(String format, int width, int height) {
    public long pixels() {
      return (long) width * height;
    }
  }

  public ImageSizeGuard(long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("pixel limit must be positive, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  public long maxPixels() {
    return maxPixels;
  }

  /**
   * The image's header, once its pixel count is within the limit.
   *
   * @param name the upload's name, for messages
   * @throws SampleTooLargeException if the header declares more pixels than the limit
   * @throws UserInputException if the bytes are not an image ImageIO can read
   */
  public Header check(byte[] image, String name) {
    Header h = header(image, name);
    if (h.width() <= 0 || h.height() <= 0) {
      throw new UserInputException(
          name + ": " + h.format() + " header declares " + h.width() + " x " + h.height());
    }
    if (h.pixels() > maxPixels) {
      throw new SampleTooLargeException(
          String.format(
              Locale.ROOT,
              "%s: %s of %d x %d = %d pixels, above the limit of %d pixels; send an aligned crop",
              name,
              h.format(),
              h.width(),
              h.height(),
              h.pixels(),
              maxPixels));
    }
    return h;
  }

  /** Width and height from the header of the first image in the bytes. */
  static Header header(byte[] image, String name) {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new UserInputException(
            name + ": not an image of a known format (PNG, JPEG, BMP, GIF)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new Header(
            reader.getFormatName().toUpperCase(Locale.ROOT),
            reader.getWidth(0),
            reader.getHeight(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof UserInputException u) {
        throw u;
      }
      throw new UserInputException(name + ": unreadable image header (" + e.getMessage() + ")", e);
    }
  }
}
