package io.qmargin.data.face;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG, PNG, GIF (first frame), BMP through {@code javax.imageio} (plus TwelveMonkeys' JPEG
 * reader for CMYK/YCCK files, when on the class path) and PGM/PPM through {@link PnmReader}. The
 * format is sniffed from the content, never from the file name. Anything that fails to decode is a
 * {@link CorruptImageException} naming the source.
 *
 * <p>The dimensions in the header are checked before any pixel is decoded: an image of more than
 * {@link #MAX_PIXELS} pixels is refused, since a small file can declare a huge image (a 1 MB PNG of
 * 20000 x 20000 pixels decodes to gigabytes) and face crops never need one.
 */
public final class ImageDecoder {
  /**
   * Most pixels an image may have: 50 megapixels, more than any camera photo of a face data set.
   */
  public static final long MAX_PIXELS = 50_000_000L;

  private ImageDecoder() {}

  /** Refuses an image whose declared size exceeds {@link #MAX_PIXELS}, before it is decoded. */
  static void checkPixelCount(long width, long height, String source) {
    if (width * height > MAX_PIXELS) {
      throw new CorruptImageException(
          source,
          "the header declares "
              + width
              + " x "
              + height
              + " = "
              + width * height
              + " pixels, more than the "
              + MAX_PIXELS
              + " qmargin decodes (a corrupt or hostile file?)");
    }
  }

  public static RgbImage decode(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CorruptImageException(file.toString(), "unreadable (" + e.getMessage() + ")", e);
    }
    return decode(bytes, file.toString());
  }

  public static RgbImage decode(byte[] bytes, String source) {
    if (bytes.length == 0) {
      throw new CorruptImageException(source, "empty file");
    }
    if (PnmReader.looksLikePnm(bytes)) {
      return PnmReader.read(bytes, source);
    }
    // Reading through our own in-memory stream avoids ImageIO.read(InputStream)'s disk cache
    // (a temporary file per image) without touching ImageIO's global setUseCache switch.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new CorruptImageException(source, "not a JPEG, PNG, GIF, BMP or PGM/PPM image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        checkPixelCount(reader.getWidth(0), reader.getHeight(0), source);
        return toRgb(reader.read(0), source);
      } finally {
        reader.dispose();
      }
    } catch (CorruptImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Broken files surface as IIOException but also as IndexOutOfBounds, CMMException, etc.
      throw new CorruptImageException(source, "cannot decode (" + e + ")", e);
    }
  }

  /** True when the bytes start like an image this decoder handles. */
  public static boolean looksLikeImage(byte[] head) {
    if (PnmReader.looksLikePnm(head)) {
      return true;
    }
    if (head.length >= 3
        && (head[0] & 0xff) == 0xff
        && (head[1] & 0xff) == 0xd8
        && (head[2] & 0xff) == 0xff) {
      return true; // JPEG
    }
    if (head.length >= 4
        && (head[0] & 0xff) == 0x89
        && head[1] == 'P'
        && head[2] == 'N'
        && head[3] == 'G') {
      return true;
    }
    if (head.length >= 4 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F' && head[3] == '8') {
      return true;
    }
    return head.length >= 2 && head[0] == 'B' && head[1] == 'M';
  }

  static RgbImage toRgb(BufferedImage img, String source) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] rgb = new int[w * h];
    Raster raster = img.getRaster();
    boolean plain8bit =
        img.getColorModel() instanceof ComponentColorModel
            && raster.getTransferType() == DataBuffer.TYPE_BYTE
            && !img.getColorModel().hasAlpha();
    ColorSpace cs = img.getColorModel().getColorSpace();
    if (img.getType() == BufferedImage.TYPE_3BYTE_BGR
        && raster.getDataBuffer() instanceof DataBufferByte db
        && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm
        && sm.getScanlineStride() == 3 * w
        && raster.getSampleModelTranslateX() == 0
        && raster.getSampleModelTranslateY() == 0) {
      // What the JPEG readers return: B, G, R bytes per pixel, rows back to back. Reading the
      // bytes directly takes a third of the time of Raster.getPixels.
      byte[] d = db.getData();
      for (int i = 0, p = 0; i < rgb.length; i++, p += 3) {
        rgb[i] = ((d[p + 2] & 0xff) << 16) | ((d[p + 1] & 0xff) << 8) | (d[p] & 0xff);
      }
    } else if (plain8bit && raster.getNumBands() == 3 && cs.isCS_sRGB()) {
      // The fast path for decoded JPEGs: bands are R, G, B whatever the byte order in memory.
      int[] px = raster.getPixels(0, 0, w, h, (int[]) null);
      for (int i = 0, p = 0; i < rgb.length; i++, p += 3) {
        rgb[i] = (px[p] << 16) | (px[p + 1] << 8) | px[p + 2];
      }
    } else if (plain8bit && raster.getNumBands() == 1 && cs.getType() == ColorSpace.TYPE_GRAY) {
      int[] px = raster.getSamples(0, 0, w, h, 0, (int[]) null);
      for (int i = 0; i < rgb.length; i++) {
        int v = px[i];
        rgb[i] = (v << 16) | (v << 8) | v;
      }
    } else {
      // Palette, 16-bit, alpha, other colour spaces: let Java2D convert to sRGB (alpha dropped).
      img.getRGB(0, 0, w, h, rgb, 0, w);
      for (int i = 0; i < rgb.length; i++) {
        rgb[i] &= 0xffffff;
      }
    }
    return new RgbImage(w, h, rgb);
  }
}
