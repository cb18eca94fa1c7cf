package io.qmargin.data.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a .tgz byte for byte per POSIX ustar (512-byte headers, octal fields, checksum), for
 * tests.
 */
public final class TarWriter {
  private TarWriter() {}

  /**
   * Entries: name -> content (null content: a folder). Names longer than 100 get a GNU 'L' entry.
   */
  public static void writeTgz(Path target, Map<String, byte[]> entries) throws IOException {
    writeTgz(target, entries, Map.of());
  }

  /** As above, then one empty entry of the given type per name (e.g. '2' for a symbolic link). */
  public static void writeTgz(
      Path target, Map<String, byte[]> entries, Map<String, Character> special) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      if (name.length > 100) {
        byte[] data = java.util.Arrays.copyOf(name, name.length + 1);
        tar.write(header("././@LongLink", data.length, 'L'));
        tar.write(padded(data));
      }
      byte[] content = e.getValue();
      tar.write(
          header(e.getKey(), content == null ? 0 : content.length, content == null ? '5' : '0'));
      if (content != null) {
        tar.write(padded(content));
      }
    }
    for (Map.Entry<String, Character> e : special.entrySet()) {
      tar.write(header(e.getKey(), 0, e.getValue()));
    }
    tar.write(new byte[1024]);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(target))) {
      out.write(tar.toByteArray());
    }
  }

  private static byte[] padded(byte[] b) {
    return java.util.Arrays.copyOf(b, (b.length + 511) / 512 * 512);
  }

  private static byte[] header(String name, long size, char type) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
    put(h, 100, String.format("%07o", type == '5' ? 0755 : 0644));
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, String.format("%011o", 1_600_000_000L));
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    return h;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }
}
