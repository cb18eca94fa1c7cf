package io.qmargin.data.fetch;

import io.qmargin.UserInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Extracts a gzip-compressed tar archive (POSIX ustar, with GNU long names and pax path records):
 * regular files and folders only; links and devices are skipped. Entry names that are absolute or
 * climb out of the destination with {@code ..} are refused. A few dozen lines here instead of
 * commons-compress and its three dependencies, for the one archive we unpack.
 *
 * <p>An archive is accepted only when it is complete: the gzip stream is read to its end, so that
 * its trailer (CRC-32 and length of the data) is checked, and it must hold at least one regular
 * file. A truncated or corrupt archive is a {@link UserInputException}; what was extracted up to
 * then stays under the destination, so callers extract into a staging folder they discard.
 */
public final class TarGz {
  private TarGz() {}

  /** Extracts {@code archive} under {@code dest}; returns the number of files written (at least one). */
  public static long extract(Path archive, Path dest) throws IOException {
    long files;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16))) {
      files = entries(in, archive, dest.toAbsolutePath().normalize());
      // the rest (the second end block, record padding) up to the gzip trailer, which
      // GZIPInputStream checks only once it is reached
      byte[] rest = new byte[1 << 16];
      while (in.read(rest) >= 0) {
        // discard
      }
    } catch (EOFException | ZipException e) {
      throw new UserInputException(archive + ": truncated or corrupt archive ("
          + (e.getMessage() == null ? "ends early" : e.getMessage()) + ")", e);
    }
    if (files == 0) {
      throw new UserInputException(archive + ": the archive holds no regular file (only folders, links or devices)");
    }
    return files;
  }

  private static long entries(DataInputStream in, Path archive, Path root) throws IOException {
    long files = 0;
    byte[] header = new byte[512];
    String longName = null;
    while (readHeader(in, header, archive)) {
      if (isZero(header)) {
        break;
      }
      String name = string(header, 0, 100);
      if (header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r') {
        String prefix = string(header, 345, 155);
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
      }
      long size = size(header, archive);
      char type = (char) header[156];
      if (type == 'L' || type == 'x') {
        byte[] data = readData(in, size, archive);
        if (type == 'L') {
          longName = string(data, 0, data.length);
        } else {
          String path = paxPath(new String(data, StandardCharsets.UTF_8));
          if (path != null) {
            longName = path;
          }
        }
        continue;
      }
      if (longName != null) {
        name = longName;
        longName = null;
      }
      Path target = safeTarget(root, name, archive);
      if (type == '5') {
        Files.createDirectories(target);
      } else if (type == '0' || type == '\0' || type == '7') {
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target)) {
          copy(in, out, size, archive);
        }
        skipPadding(in, size, archive);
        files++;
      } else {
        skip(in, size, archive); // links, devices, global pax headers
      }
    }
    return files;
  }

  /**
   * Reads the next 512-byte header; false at a clean end of the data (some writers omit the two
   * zero blocks at the end; the gzip trailer still proves the data complete).
   */
  private static boolean readHeader(InputStream in, byte[] header, Path archive) throws IOException {
    int got = 0;
    while (got < header.length) {
      int r = in.read(header, got, header.length - got);
      if (r < 0) {
        if (got == 0) {
          return false;
        }
        throw new UserInputException(archive + ": archive ends inside an entry header (truncated download?)");
      }
      got += r;
    }
    return true;
  }

  private static Path safeTarget(Path root, String name, Path archive) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    Path target = root.resolve(n).normalize();
    if (n.isEmpty() || n.startsWith("/") || !target.startsWith(root)) {
      throw new UserInputException(archive + ": archive entry '" + name + "' would be written outside the destination");
    }
    return target;
  }

  private static String paxPath(String records) {
    for (String line : records.split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0 && line.startsWith("path=", space + 1)) {
        return line.substring(space + 6);
      }
    }
    return null;
  }

  private static long size(byte[] h, Path archive) {
    if ((h[124] & 0x80) != 0) { // GNU base-256 for files of 8 GiB or more
      long v = 0;
      for (int i = 125; i < 136; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return v;
    }
    String s = string(h, 124, 12).trim();
    try {
      return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    } catch (NumberFormatException e) {
      throw new UserInputException(archive + ": not a tar archive (bad size field '" + s + "')");
    }
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] readData(DataInputStream in, long size, Path archive) throws IOException {
    if (size > (1 << 20)) {
      throw new UserInputException(archive + ": tar metadata entry of " + size + " bytes");
    }
    byte[] data = new byte[(int) size];
    in.readFully(data);
    skipPadding(in, size, archive);
    return data;
  }

  private static void copy(InputStream in, OutputStream out, long size, Path archive) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new UserInputException(archive + ": archive ends inside a file (truncated download?)");
      }
      out.write(buf, 0, r);
      left -= r;
    }
  }

  private static void skipPadding(DataInputStream in, long size, Path archive) throws IOException {
    long pad = (512 - size % 512) % 512;
    skipExactly(in, pad, archive);
  }

  private static void skip(DataInputStream in, long size, Path archive) throws IOException {
    skipExactly(in, size + (512 - size % 512) % 512, archive);
  }

  private static void skipExactly(InputStream in, long n, Path archive) throws IOException {
    long left = n;
    while (left > 0) {
      long s = in.skip(left);
      if (s <= 0) {
        if (in.read() < 0) {
          throw new UserInputException(archive + ": archive ends early (truncated download?)");
        }
        s = 1;
      }
      left -= s;
    }
  }
}
