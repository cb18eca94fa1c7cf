package io.qmargin.io;

import io.qmargin.UserInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes numpy {@code .npy} files (format versions 1.0, 2.0 and 3.0), little-endian
 * float32, float64, int32 and int64 in C order. Anything else (Fortran order, big-endian, other
 * dtypes, a truncated file) is rejected with a {@link UserInputException} naming the file.
 *
 * <p>Writes are atomic (see {@link AtomicFiles}) and use format 1.0, which every numpy reads.
 */
public final class Npy {
  private Npy() {}

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /**
   * Longest header read, numpy's default {@code max_header_size}: sizes are checked before
   * allocating.
   */
  static final int MAX_HEADER_BYTES = 10_000;

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** The element types qmargin reads and writes. */
  public enum DType {
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8),
    INT32("<i4", 4),
    INT64("<i8", 8);

    public final String descr;
    public final int bytes;

    DType(String descr, int bytes) {
      this.descr = descr;
      this.bytes = bytes;
    }

    public boolean isFloating() {
      return this == FLOAT32 || this == FLOAT64;
    }

    static DType fromDescr(String d, Path file) {
      String norm = d.startsWith("|") || d.startsWith("=") ? "<" + d.substring(1) : d;
      for (DType t : values()) {
        if (t.descr.equals(norm)) {
          return t;
        }
      }
      if (d.startsWith(">")) {
        throw new UserInputException(
            file
                + ": big-endian dtype '"
                + d
                + "' is not supported; save it little-endian (arr.astype('"
                + "<"
                + d.substring(1)
                + "'))");
      }
      throw new UserInputException(
          file + ": unsupported dtype '" + d + "' (expected float32, float64, int32 or int64)");
    }
  }

  /** An n-dimensional array read from or written to a .npy file; data is little-endian, C order. */
  public record Array(Path file, DType dtype, long[] shape, ByteBuffer data) {
    public long size() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }

    public int rank() {
      return shape.length;
    }

    public double getDouble(int i) {
      return switch (dtype) {
        case FLOAT32 -> data.getFloat(i * 4);
        case FLOAT64 -> data.getDouble(i * 8);
        case INT32 -> data.getInt(i * 4);
        case INT64 -> data.getLong(i * 8);
      };
    }

    public long getLong(int i) {
      return switch (dtype) {
        case INT32 -> data.getInt(i * 4);
        case INT64 -> data.getLong(i * 8);
        default -> throw new IllegalStateException("not an integer array");
      };
    }

    public float[] toFloats() {
      float[] out = new float[Math.toIntExact(size())];
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) getDouble(i);
      }
      return out;
    }

    public double[] toDoubles() {
      double[] out = new double[Math.toIntExact(size())];
      for (int i = 0; i < out.length; i++) {
        out[i] = getDouble(i);
      }
      return out;
    }

    public long[] toLongs() {
      long[] out = new long[Math.toIntExact(size())];
      for (int i = 0; i < out.length; i++) {
        out[i] = dtype.isFloating() ? (long) getDouble(i) : getLong(i);
      }
      return out;
    }

    /** Throws a clear error unless the array has the given rank. */
    public Array requireRank(int rank, String what) {
      if (shape.length != rank) {
        throw new UserInputException(
            file
                + ": "
                + what
                + " must have "
                + rank
                + " dimension(s), got shape "
                + shapeString(shape));
      }
      return this;
    }

    public Array requireFloating(String what) {
      if (!dtype.isFloating()) {
        throw new UserInputException(
            file + ": " + what + " must be float32 or float64, got " + dtype.name().toLowerCase());
      }
      return this;
    }

    public Array requireInteger(String what) {
      if (dtype.isFloating()) {
        throw new UserInputException(
            file + ": " + what + " must be int32 or int64, got " + dtype.name().toLowerCase());
      }
      return this;
    }
  }

  public static String shapeString(long[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(shape[i]);
      if (shape.length == 1 || i < shape.length - 1) {
        sb.append(shape.length == 1 ? "," : ", ");
      }
    }
    return sb.append(')').toString();
  }

  /** The header of a .npy file: element type, shape and where the data starts. */
  public record Header(Path file, DType dtype, long[] shape, long dataOffset) {
    public long size() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /** Reads and validates the header; the data (of any size) can then be read in blocks. */
  public static Header readHeader(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(ch, file);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": no such file");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static Header readHeader(FileChannel ch, Path file) throws IOException {
    long fileSize = ch.size();
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    while (pre.hasRemaining() && ch.read(pre) >= 0) {
      // the preamble may be shorter than 12 bytes in a (broken) tiny file
    }
    pre.flip();
    if (pre.remaining() < 10) {
      throw new UserInputException(file + ": not a .npy file (too short)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (pre.get(i) != MAGIC[i]) {
        throw new UserInputException(file + ": not a .npy file (bad magic bytes)");
      }
    }
    int major = pre.get(6) & 0xff;
    long headerLen;
    int preamble;
    if (major == 1) {
      headerLen = pre.getShort(8) & 0xffff;
      preamble = 10;
    } else if (major == 2 || major == 3) {
      headerLen = pre.getInt(8) & 0xffffffffL;
      preamble = 12;
    } else {
      throw new UserInputException(
          file + ": unsupported .npy format version " + major + "." + (pre.get(7) & 0xff));
    }
    if (headerLen > MAX_HEADER_BYTES) {
      throw new UserInputException(
          file
              + ": the .npy header declares "
              + headerLen
              + " bytes, more than the "
              + MAX_HEADER_BYTES
              + " numpy reads (its max_header_size); the file is corrupt or not a plain array");
    }
    if (preamble + headerLen > fileSize) {
      throw new UserInputException(
          file
              + ": truncated .npy header: it declares "
              + headerLen
              + " bytes, the file has "
              + (fileSize - preamble)
              + " after the preamble");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    ch.position(preamble);
    readFully(ch, hb, file);
    String header =
        new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    DType dtype = DType.fromDescr(match(DESCR, header, "descr", file), file);
    if (match(FORTRAN, header, "fortran_order", file).equals("True")) {
      throw new UserInputException(
          file + ": Fortran-order arrays are not supported; save with np.ascontiguousarray(arr)");
    }
    long[] shape = parseShape(match(SHAPE, header, "shape", file), file);
    long count = 1;
    try {
      for (long d : shape) {
        count = Math.multiplyExact(count, d);
      }
      long bytes = Math.multiplyExact(count, (long) dtype.bytes);
      long dataStart = preamble + headerLen;
      if (fileSize - dataStart < bytes) {
        throw new UserInputException(
            file
                + ": truncated data: shape "
                + shapeString(shape)
                + " needs "
                + bytes
                + " bytes, file has "
                + (fileSize - dataStart));
      }
      if (fileSize - dataStart > bytes) {
        throw new UserInputException(
            file
                + ": "
                + (fileSize - dataStart - bytes)
                + " unexpected bytes after the data of shape "
                + shapeString(shape));
      }
      return new Header(file, dtype, shape, dataStart);
    } catch (ArithmeticException e) {
      throw new UserInputException(file + ": shape too large");
    }
  }

  /** Reads {@code bytes} bytes of data starting {@code offset} bytes into the data section. */
  public static ByteBuffer readData(Header header, long offset, int bytes) {
    try (FileChannel ch = FileChannel.open(header.file(), StandardOpenOption.READ)) {
      ByteBuffer data = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
      ch.position(header.dataOffset() + offset);
      readFully(ch, data, header.file());
      data.flip();
      return data;
    } catch (IOException e) {
      throw new UserInputException(header.file() + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Reads a whole .npy file into memory (at most 2^31 - 1 bytes of data). */
  public static Array read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Header h = readHeader(ch, file);
      long bytes = h.size() * h.dtype().bytes;
      if (bytes > Integer.MAX_VALUE) {
        throw new UserInputException(
            file + ": array of " + bytes + " bytes is larger than the 2 GiB this reader supports");
      }
      ByteBuffer data = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      ch.position(h.dataOffset());
      readFully(ch, data, file);
      data.flip();
      return new Array(file, h.dtype(), h.shape(), data);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": no such file");
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new UserInputException(file + ": unexpected end of file");
      }
    }
  }

  private static String match(Pattern p, String header, String key, Path file) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new UserInputException(
          file + ": .npy header has no valid '" + key + "' entry: " + header.trim());
    }
    return m.group(1);
  }

  private static long[] parseShape(String s, Path file) {
    List<Long> dims = new ArrayList<>();
    for (String part : s.split(",")) {
      String t = part.trim();
      if (t.endsWith("L")) {
        t = t.substring(0, t.length() - 1);
      }
      if (!t.isEmpty()) {
        try {
          long d = Long.parseLong(t);
          if (d < 0) {
            throw new NumberFormatException();
          }
          dims.add(d);
        } catch (NumberFormatException e) {
          throw new UserInputException(
              file + ": bad shape entry '" + part.trim() + "' in .npy header");
        }
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  // ---- writing ----------------------------------------------------------------------------

  public static void writeFloat32(Path file, float[] values, long... shape) throws IOException {
    writeElements(file, DType.FLOAT32, values.length, shape, (b, i) -> b.putFloat(values[i]));
  }

  public static void writeFloat64(Path file, double[] values, long... shape) throws IOException {
    writeElements(file, DType.FLOAT64, values.length, shape, (b, i) -> b.putDouble(values[i]));
  }

  public static void writeInt32(Path file, int[] values, long... shape) throws IOException {
    writeElements(file, DType.INT32, values.length, shape, (b, i) -> b.putInt(values[i]));
  }

  public static void writeInt64(Path file, long[] values, long... shape) throws IOException {
    writeElements(file, DType.INT64, values.length, shape, (b, i) -> b.putLong(values[i]));
  }

  /** Puts element i of some array into a little-endian buffer. */
  private interface ElementWriter {
    void put(ByteBuffer buffer, int index);
  }

  private static void writeElements(
      Path file, DType dtype, int length, long[] shape, ElementWriter element) throws IOException {
    checkSize(length, shape);
    write(
        file,
        dtype,
        shape,
        out -> {
          ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
          for (int i = 0; i < length; i++) {
            if (b.remaining() < dtype.bytes) {
              flush(b, out);
            }
            element.put(b, i);
          }
          flush(b, out);
        });
  }

  /** Writes raw little-endian data (already laid out in C order) with the given dtype and shape. */
  public static void write(Path file, DType dtype, long[] shape, AtomicFiles.Writer body)
      throws IOException {
    AtomicFiles.write(
        file,
        out -> {
          out.write(header(dtype, shape));
          body.writeTo(out);
        });
  }

  static byte[] header(DType dtype, long[] shape) {
    String dict =
        "{'descr': '"
            + dtype.descr
            + "', 'fortran_order': False, 'shape': "
            + shapeString(shape)
            + ", }";
    int unpadded = 10 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String text = dict + " ".repeat(pad) + "\n";
    byte[] h = text.getBytes(StandardCharsets.ISO_8859_1);
    if (h.length > 65535) {
      throw new IllegalArgumentException("shape too long for a .npy 1.0 header");
    }
    ByteBuffer b = ByteBuffer.allocate(10 + h.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
    return b.array();
  }

  private static void checkSize(int length, long[] shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    if (n != length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " does not match " + length + " values");
    }
  }

  private static void flush(ByteBuffer b, OutputStream out) throws IOException {
    out.write(b.array(), 0, b.position());
    b.clear();
  }
}
