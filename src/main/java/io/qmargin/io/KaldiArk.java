package io.qmargin.io;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Kaldi archives of vectors in Kaldi's binary format, as Kaldi's {@code copy-vector} and kaldiio
 * read and write them (e.g. speaker embeddings, Kaldi's x-vector {@code xvector.ark}/{@code .scp}).
 *
 * <p>Each entry of an {@code .ark} is {@code key}, one space, the binary marker {@code "\0B"}, the
 * token {@code "FV "} (float vector; {@code "DV "} for doubles, read only), then the dimension as
 * Kaldi writes an int32 (the byte 4, then 4 bytes little-endian) and the values (float32, or
 * float64 for {@code DV}, little-endian). An {@code .scp} line is {@code key ark_path:offset}, the
 * offset pointing at the {@code "\0B"} of that entry; the path is written as given, and read (as
 * Kaldi does) relative to the working directory when not absolute. Keys are Kaldi tokens:
 * non-empty, without whitespace. Text-mode archives are not read.
 */
public final class KaldiArk {
  private KaldiArk() {}

  /** One vector of an archive. */
  public record Entry(String key, float[] vector) {}

  /**
   * Writes {@code keys.size()} vectors of dimension {@code dim} (row i of {@code rows}) to {@code
   * ark} and, when {@code scp} is not null, their index to {@code scp}; each file atomically.
   */
  public static void writeVectors(Path ark, Path scp, List<String> keys, float[] rows, int dim)
      throws IOException {
    writeVectors(ark, ark, scp, keys, rows, dim);
  }

  /**
   * As {@link #writeVectors(Path, Path, List, float[], int)}, but the archive's bytes go to {@code
   * arkFile} while the index names {@code ark}: for an archive staged under a temporary name and
   * moved into place with other outputs.
   */
  public static void writeVectors(
      Path ark, Path arkFile, Path scp, List<String> keys, float[] rows, int dim)
      throws IOException {
    if (dim < 0 || (long) keys.size() * dim != rows.length) {
      throw new IllegalArgumentException(
          rows.length + " values are not " + keys.size() + " vectors of dimension " + dim);
    }
    byte[][] keyBytes = new byte[keys.size()][];
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
        throw new UserInputException(
            "key '"
                + key
                + "' cannot go into a Kaldi archive: keys must be non-empty and without spaces");
      }
      keyBytes[i] = (key + " ").getBytes(StandardCharsets.UTF_8);
    }
    StringBuilder index = new StringBuilder();
    AtomicFiles.write(
        arkFile,
        out -> {
          ByteBuffer body = ByteBuffer.allocate(10 + 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
          long offset = 0;
          for (int i = 0; i < keyBytes.length; i++) {
            out.write(keyBytes[i]);
            offset += keyBytes[i].length;
            index
                .append(keys.get(i))
                .append(' ')
                .append(ark)
                .append(':')
                .append(offset)
                .append('\n');
            body.clear();
            body.put(new byte[] {0, 'B', 'F', 'V', ' ', 4}).putInt(dim);
            for (int k = 0; k < dim; k++) {
              body.putFloat(rows[i * dim + k]);
            }
            out.write(body.array(), 0, body.position());
            offset += body.position();
          }
        });
    if (scp != null) {
      AtomicFiles.writeString(scp, index.toString());
    }
  }

  /** Every vector of an archive, in file order. */
  public static List<Entry> readArk(Path ark) {
    ByteBuffer b = ByteBuffer.wrap(readAll(ark)).order(ByteOrder.LITTLE_ENDIAN);
    List<Entry> out = new ArrayList<>();
    while (b.hasRemaining()) {
      int start = b.position();
      while (b.hasRemaining() && b.get(b.position()) != ' ') {
        b.get();
      }
      if (!b.hasRemaining()) {
        throw new UserInputException(
            ark + ": byte " + start + ": a key without a vector (truncated archive?)");
      }
      String key =
          new String(b.array(), start, b.position() - start, StandardCharsets.UTF_8).strip();
      b.get(); // the space
      if (key.isEmpty()) {
        throw new UserInputException(ark + ": byte " + start + ": empty key");
      }
      out.add(new Entry(key, vector(b, ark)));
    }
    return out;
  }

  /**
   * The vector whose {@code "\0B"} marker is at {@code offset} in {@code ark} (an scp's {@code
   * ark:offset}).
   */
  public static float[] readVector(Path ark, long offset) {
    byte[] bytes = readAll(ark);
    if (offset < 0 || offset >= bytes.length) {
      throw new UserInputException(
          ark + ": offset " + offset + " is outside the file (" + bytes.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.position((int) offset);
    return vector(b, ark);
  }

  /** The vectors an {@code .scp} points to, in its line order. */
  public static List<Entry> readScp(Path scp) {
    List<String> lines;
    try {
      lines = Files.readAllLines(scp, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UserInputException(scp + ": no such file");
    } catch (IOException e) {
      throw new UserInputException(scp + ": cannot read: " + e.getMessage(), e);
    }
    List<Entry> out = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\\s+", 2);
      int colon = f.length == 2 ? f[1].lastIndexOf(':') : -1;
      long offset;
      try {
        offset = colon > 0 ? Long.parseLong(f[1].substring(colon + 1)) : -1;
      } catch (NumberFormatException e) {
        offset = -1;
      }
      if (offset < 0) {
        throw new UserInputException(scp + ":" + (n + 1) + ": expected 'key ark_path:offset'");
      }
      out.add(new Entry(f[0], readVector(Path.of(f[1].substring(0, colon)), offset)));
    }
    return out;
  }

  private static float[] vector(ByteBuffer b, Path ark) {
    int at = b.position();
    if (b.remaining() < 2 || b.get() != 0 || b.get() != 'B') {
      throw new UserInputException(
          ark
              + ": byte "
              + at
              + ": expected the binary marker \\0B (only binary archives are read)");
    }
    String token =
        b.remaining() >= 3
            ? new String(new byte[] {b.get(), b.get(), b.get()}, StandardCharsets.ISO_8859_1)
            : "";
    int width = token.equals("FV ") ? 4 : token.equals("DV ") ? 8 : 0;
    if (width == 0) {
      throw new UserInputException(
          ark
              + ": byte "
              + (at + 2)
              + ": expected a float vector (FV or DV), got '"
              + token.strip()
              + "'");
    }
    if (b.remaining() < 5 || b.get() != 4) {
      throw new UserInputException(
          ark + ": byte " + (at + 5) + ": expected a 4-byte vector dimension");
    }
    int dim = b.getInt();
    if (dim < 0 || (long) dim * width > b.remaining()) {
      throw new UserInputException(
          ark
              + ": byte "
              + (at + 6)
              + ": vector dimension "
              + dim
              + " needs "
              + (long) dim * width
              + " bytes, "
              + b.remaining()
              + " remain");
    }
    float[] v = new float[dim];
    for (int k = 0; k < dim; k++) {
      v[k] = width == 4 ? b.getFloat() : (float) b.getDouble();
    }
    return v;
  }

  private static byte[] readAll(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE - 8) {
        throw new UserInputException(
            file
                + ": archive of "
                + ch.size()
                + " bytes is larger than the 2 GiB this reader supports");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": no such file");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
