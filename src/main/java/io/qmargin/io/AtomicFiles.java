package io.qmargin.io;

import io.qmargin.UserInputException;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes files atomically: the content goes to a temporary file in the same directory, is flushed
 * to disk, and is then renamed over the target. A crash or kill mid-write leaves either the old
 * file or the new one, never a torn one. Files get the permissions of any new file in their
 * directory (the umask applies; unlike {@link Files#createTempFile}, which always makes 0600).
 *
 * <p>Outputs that belong together (a report's metrics, curves and plots; embeddings and their keys)
 * go through an {@link OutputSet}: they are written to temporary names and renamed into place only
 * once all of them are written, so that a full disk or an error halfway leaves the previous
 * outputs, not a mix.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a file's content to a stream. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  public static void write(Path target, Writer writer) throws IOException {
    try {
      writeAtomically(target, writer);
    } catch (FileSystemException e) {
      throw FileErrors.named(e); // the file that cannot be written (or its folder), named
    }
  }

  private static void writeAtomically(Path target, Writer writer) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = null;
    try {
      FileChannel channel = null;
      while (channel == null) {
        tmp = temporarySibling(abs);
        try {
          // default permissions: what the umask gives any new file here
          channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
          // another writer drew the same name: draw again
        }
      }
      try (FileChannel c = channel;
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c), 1 << 16)) {
        writer.writeTo(out);
        out.flush();
        c.force(true);
      }
      move(tmp, abs);
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  public static void writeString(Path target, String content) throws IOException {
    write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
  }

  /** A new output set; see {@link OutputSet}. */
  public static OutputSet outputSet() {
    return new OutputSet();
  }

  /**
   * Outputs of one command that appear together or not at all. Each output is written to a
   * temporary name that {@link #file} or {@link #directory} hands out (beside its target, so that
   * the final rename stays on one file system); {@link #commit} renames them all into place, and
   * {@link #close} without a commit deletes them. Typical use:
   *
   * <pre>
   *   try (AtomicFiles.OutputSet set = AtomicFiles.outputSet()) {
   *     Npy.writeFloat32(set.file(embeddings), ...);
   *     AtomicFiles.writeString(set.file(keys), ...);
   *     set.commit();
   *   }
   * </pre>
   *
   * A kill between two renames of the commit can still leave a mix; no single write step can.
   */
  public static final class OutputSet implements Closeable {
    private final List<Path[]> files = new ArrayList<>(); // {temporary, target}
    private final List<Path[]> directories = new ArrayList<>(); // {staging, target}
    private boolean committed;

    private OutputSet() {}

    /** The temporary name to write {@code target} to. */
    public Path file(Path target) throws IOException {
      Path abs = target.toAbsolutePath().normalize();
      for (Path[] f : files) {
        if (f[1].equals(abs)) {
          throw new IllegalArgumentException(
              "two outputs of one command are the same file: " + target);
        }
      }
      if (abs.getParent() != null) {
        createDirectories(abs.getParent());
      }
      Path tmp = temporarySibling(abs);
      files.add(new Path[] {tmp, abs});
      return tmp;
    }

    /**
     * A staging directory whose content (sub-directories included) replaces the same names in
     * {@code target} on commit; files of {@code target} that the staging directory does not hold
     * are left alone. The staging directory is a hidden folder inside {@code target}.
     */
    public Path directory(Path target) throws IOException {
      Path abs = target.toAbsolutePath();
      createDirectories(abs);
      Path staging = null;
      while (staging == null) {
        try {
          staging = Files.createDirectory(temporarySibling(abs.resolve("output")));
        } catch (FileAlreadyExistsException e) {
          // drawn twice: draw again
        }
      }
      directories.add(new Path[] {staging, abs});
      return staging;
    }

    /** The output folder {@code dir} and its parents; a file in the way is named. */
    private static void createDirectories(Path dir) throws IOException {
      try {
        Files.createDirectories(dir);
      } catch (FileSystemException e) {
        throw FileErrors.named(e);
      }
    }

    /** Renames every output into place; before this, none of them is visible. */
    public void commit() throws IOException {
      // every (temporary, target) pair first, so that a target that cannot be replaced (a
      // folder of that name) stops the commit before anything moved
      List<Path[]> moves = new ArrayList<>();
      for (Path[] f : files) {
        if (!Files.exists(f[0])) {
          throw new IllegalStateException("output " + f[1] + " was never written");
        }
        moves.add(f);
      }
      for (Path[] d : directories) {
        try (Stream<Path> s = Files.walk(d[0])) {
          for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
            moves.add(new Path[] {p, d[1].resolve(d[0].relativize(p).toString())});
          }
        }
      }
      for (Path[] m : moves) {
        if (Files.isDirectory(m[1])) {
          throw new UserInputException(m[1] + ": is a folder; cannot write the output file there");
        }
      }
      try {
        for (Path[] m : moves) {
          Files.createDirectories(m[1].getParent());
          move(m[0], m[1]);
        }
      } catch (FileSystemException e) {
        throw FileErrors.named(e);
      }
      committed = true;
      close();
    }

    /** Deletes whatever was not committed (all of it, unless {@link #commit} ran). */
    @Override
    public void close() throws IOException {
      IOException first = null;
      for (Path[] f : files) {
        try {
          Files.deleteIfExists(f[0]);
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
      for (Path[] d : directories) {
        try {
          deleteTree(d[0]);
        } catch (IOException | UncheckedIOException e) {
          first =
              first == null
                  ? (e instanceof IOException io ? io : ((UncheckedIOException) e).getCause())
                  : first;
        }
      }
      files.clear();
      directories.clear();
      if (first != null && committed) {
        throw first;
      }
    }
  }

  /** A fresh hidden name beside {@code target}, e.g. {@code .metrics.json.4f2a9c01.tmp}. */
  private static Path temporarySibling(Path target) {
    String rnd = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
    return target.resolveSibling("." + target.getFileName() + "." + rnd + ".tmp");
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
