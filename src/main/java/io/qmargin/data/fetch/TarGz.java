package io.qmargin.data.fetch;

import io.qmargin.UserInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Extracts a gzip-compressed tar archive with commons-compress (any layout it reads: ustar, GNU
 * long names, pax records): regular files and folders only; links, devices and sparse files are
 * skipped, so nothing extracted can point elsewhere. Entry names that are absolute or climb out of
 * the destination with {@code ..} are refused.
 *
 * <p>An archive is accepted only when it is complete: the gzip stream is read to its end, so that
 * its trailer (CRC-32 and length of the data) is checked, and it must hold at least one regular
 * file. A truncated or corrupt archive is a {@link UserInputException}; what was extracted up to
 * then stays under the destination, so callers extract into a staging folder they discard.
 */
public final class TarGz {
  private TarGz() {}

  /**
   * Extracts {@code archive} under {@code dest}; returns the number of files written (at least
   * one).
   */
  public static long extract(Path archive, Path dest) throws IOException {
    Path root = dest.toAbsolutePath().normalize();
    long files = 0;
    try (InputStream gzip =
            new BufferedInputStream(
                new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16);
        TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
      for (TarArchiveEntry e = next(tar, archive); e != null; e = next(tar, archive)) {
        if (e.isDirectory()) {
          Files.createDirectories(safeTarget(root, e.getName(), archive));
        } else if (isRegularFile(e)) {
          Path target = safeTarget(root, e.getName(), archive);
          Files.createDirectories(target.getParent());
          try (OutputStream out = Files.newOutputStream(target)) {
            copy(tar, out, archive);
          }
          files++;
        }
        // anything else (links, devices, sparse files) is skipped by the next call to next()
      }
      // the tar reader stops at the end blocks; the gzip trailer is checked only once the gzip
      // stream itself is read to its end
      try {
        gzip.transferTo(OutputStream.nullOutputStream());
      } catch (IOException e) {
        throw corrupt(archive, e);
      }
    }
    if (files == 0) {
      throw new UserInputException(
          archive + ": the archive holds no regular file (only folders, links or devices)");
    }
    return files;
  }

  private static boolean isRegularFile(TarArchiveEntry e) {
    byte type = e.getLinkFlag();
    return type == TarConstants.LF_NORMAL
        || type == TarConstants.LF_OLDNORM
        || type == TarConstants.LF_CONTIG;
  }

  /**
   * The next entry; a read failure (truncation, a bad header, a gzip checksum) names the archive.
   */
  private static TarArchiveEntry next(TarArchiveInputStream tar, Path archive) {
    try {
      return tar.getNextEntry();
    } catch (IOException e) {
      throw corrupt(archive, e);
    }
  }

  /** Copies the current entry; read failures name the archive, write failures stay I/O errors. */
  private static void copy(InputStream in, OutputStream out, Path archive) throws IOException {
    byte[] buf = new byte[1 << 16];
    while (true) {
      int r;
      try {
        r = in.read(buf);
      } catch (IOException e) {
        throw corrupt(archive, e);
      }
      if (r < 0) {
        return;
      }
      out.write(buf, 0, r);
    }
  }

  private static UserInputException corrupt(Path archive, IOException e) {
    return new UserInputException(
        archive
            + ": truncated or corrupt archive ("
            + (e.getMessage() == null ? "ends early" : e.getMessage())
            + ")",
        e);
  }

  private static Path safeTarget(Path root, String name, Path archive) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    Path target = root.resolve(n).normalize();
    if (n.isEmpty() || n.startsWith("/") || !target.startsWith(root)) {
      throw new UserInputException(
          archive + ": archive entry '" + name + "' would be written outside the destination");
    }
    return target;
  }
}
