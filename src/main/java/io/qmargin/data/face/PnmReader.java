package io.qmargin.data.face;

/**
 * Netpbm images: PGM (P2 text, P5 binary) and PPM (P3 text, P6 binary), 8 or 16 bits per sample
 * (maxval up to 65535, scaled to 8 bits), comments ({@code #} to end of line) in the header.
 * Written here because the JDK has no PNM reader (the AT&amp;T/ORL faces are PGM).
 */
final class PnmReader {
  private PnmReader() {}

  static boolean looksLikePnm(byte[] b) {
    return b.length >= 3
        && b[0] == 'P'
        && b[1] >= '2'
        && b[1] <= '6'
        && b[1] != '4'
        && isSpace(b[2]);
  }

  static RgbImage read(byte[] b, String source) {
    char kind = (char) b[1];
    Cursor c = new Cursor(b, 2, source);
    int w = c.nextInt("width");
    int h = c.nextInt("height");
    int maxval = c.nextInt("maxval");
    if (w < 1 || h < 1 || maxval < 1 || maxval > 65535) {
      throw new CorruptImageException(
          source, "bad PNM header (" + w + " x " + h + ", maxval " + maxval + ")");
    }
    ImageDecoder.checkPixelCount(w, h, source);
    int channels = (kind == '2' || kind == '5') ? 1 : 3;
    boolean binary = kind == '5' || kind == '6';
    int bytesPerSample = maxval > 255 ? 2 : 1;
    int[] rgb = new int[w * h];
    int[] s = new int[3];
    if (binary) {
      int p = c.pos + 1; // exactly one whitespace byte after maxval
      long need = (long) w * h * channels * bytesPerSample;
      if (p + need > b.length) {
        throw new CorruptImageException(
            source, "truncated PNM data (" + (b.length - p) + " of " + need + " bytes)");
      }
      for (int i = 0; i < rgb.length; i++) {
        for (int k = 0; k < channels; k++) {
          int v = bytesPerSample == 1 ? (b[p] & 0xff) : (((b[p] & 0xff) << 8) | (b[p + 1] & 0xff));
          p += bytesPerSample;
          s[k] = scale(v, maxval, source);
        }
        rgb[i] = pack(s, channels);
      }
    } else {
      for (int i = 0; i < rgb.length; i++) {
        for (int k = 0; k < channels; k++) {
          s[k] = scale(c.nextInt("sample"), maxval, source);
        }
        rgb[i] = pack(s, channels);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  private static int pack(int[] s, int channels) {
    return channels == 1 ? (s[0] << 16) | (s[0] << 8) | s[0] : (s[0] << 16) | (s[1] << 8) | s[2];
  }

  private static int scale(int v, int maxval, String source) {
    if (v > maxval) {
      throw new CorruptImageException(source, "PNM sample " + v + " exceeds maxval " + maxval);
    }
    return maxval == 255 ? v : (int) ((v * 255L + maxval / 2) / maxval);
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
  }

  private static final class Cursor {
    final byte[] b;
    final String source;
    int pos;

    Cursor(byte[] b, int pos, String source) {
      this.b = b;
      this.pos = pos;
      this.source = source;
    }

    int nextInt(String what) {
      while (pos < b.length && (isSpace(b[pos]) || b[pos] == '#')) {
        if (b[pos] == '#') {
          while (pos < b.length && b[pos] != '\n' && b[pos] != '\r') {
            pos++;
          }
        } else {
          pos++;
        }
      }
      long v = 0;
      int start = pos;
      while (pos < b.length && b[pos] >= '0' && b[pos] <= '9' && v <= Integer.MAX_VALUE) {
        v = v * 10 + (b[pos++] - '0');
      }
      if (pos == start || v > Integer.MAX_VALUE) {
        throw new CorruptImageException(source, "bad or missing PNM " + what + " at byte " + start);
      }
      return (int) v;
    }
  }
}
