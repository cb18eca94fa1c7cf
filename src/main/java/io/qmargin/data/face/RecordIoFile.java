package io.qmargin.data.face;

import io.qmargin.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An indexed MXNet/dmlc RecordIO file ({@code .rec} + {@code .idx}), read by random access.
 *
 * <p>Format (little-endian): each record is one or more parts, each part {@code uint32 magic =
 * 0xced7230a}, {@code uint32 lrecord} (upper 3 bits: continuation flag cflag, lower 29 bits: part
 * length), the part's bytes, then zero padding to a multiple of 4. cflag 0 is a whole record; a
 * record the writer split (because its payload contained the magic word at a 4-aligned offset) has
 * parts with cflag 1 (first), 2 (middle), 3 (last), and the reader re-inserts the magic word
 * between parts. The {@code .idx} file has one line {@code key<TAB>byte offset} per record.
 *
 * <p>Positional reads make {@link #read} safe to call from several threads.
 */
public final class RecordIoFile implements AutoCloseable {
  public static final int MAGIC = 0xced7230a;
  private static final int LENGTH_MASK = (1 << 29) - 1;

  private final Path rec;
  private final FileChannel channel;
  private final long fileSize;
  private final List<Long> keys;
  private final Map<Long, Long> offsets;

  private RecordIoFile(
      Path rec, FileChannel channel, long fileSize, List<Long> keys, Map<Long, Long> offsets) {
    this.rec = rec;
    this.channel = channel;
    this.fileSize = fileSize;
    this.keys = keys;
    this.offsets = offsets;
  }

  public static RecordIoFile open(Path rec, Path idx) {
    if (!Files.isRegularFile(rec)) {
      throw new UserInputException(rec + ": RecordIO file does not exist");
    }
    if (!Files.isRegularFile(idx)) {
      throw new UserInputException(
          idx + ": RecordIO index does not exist (expected next to " + rec.getFileName() + ")");
    }
    List<Long> keys = new ArrayList<>();
    Map<Long, Long> offsets = new HashMap<>();
    try {
      List<String> lines = Files.readAllLines(idx);
      for (int n = 0; n < lines.size(); n++) {
        String line = lines.get(n).trim();
        if (line.isEmpty()) {
          continue;
        }
        String[] f = line.split("\\s+");
        long key;
        long offset;
        try {
          if (f.length != 2) {
            throw new NumberFormatException();
          }
          key = Long.parseLong(f[0]);
          offset = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
          throw new UserInputException(
              idx + ":" + (n + 1) + ": expected 'key<TAB>offset', got '" + line + "'");
        }
        if (offsets.put(key, offset) != null) {
          throw new UserInputException(idx + ":" + (n + 1) + ": key " + key + " listed twice");
        }
        keys.add(key);
      }
      FileChannel ch = FileChannel.open(rec, StandardOpenOption.READ);
      return new RecordIoFile(rec, ch, ch.size(), List.copyOf(keys), offsets);
    } catch (IOException e) {
      throw new UserInputException(rec + ": cannot open (" + e.getMessage() + ")", e);
    }
  }

  public Path path() {
    return rec;
  }

  /** The keys in index-file order. */
  public List<Long> keys() {
    return keys;
  }

  public boolean contains(long key) {
    return offsets.containsKey(key);
  }

  /** The payload of record {@code key}; a damaged record is a {@link CorruptImageException}. */
  public byte[] read(long key) {
    Long offset = offsets.get(key);
    String source = rec + "#" + key;
    if (offset == null) {
      throw new CorruptImageException(source, "no such key in the index");
    }
    try {
      return readAt(offset, source);
    } catch (IOException e) {
      throw new CorruptImageException(source, "unreadable (" + e.getMessage() + ")", e);
    }
  }

  private byte[] readAt(long pos, String source) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    ByteArrayOutputStream out = null;
    while (true) {
      head.clear();
      readFully(head, pos, source);
      head.flip();
      int magic = head.getInt();
      int lrec = head.getInt();
      if (magic != MAGIC) {
        throw new CorruptImageException(
            source, String.format("no RecordIO magic at byte %d (found 0x%08x)", pos, magic));
      }
      int cflag = lrec >>> 29;
      int length = lrec & LENGTH_MASK;
      if (pos + 8 + length > fileSize) {
        throw new CorruptImageException(
            source,
            "record part of "
                + length
                + " bytes at byte "
                + pos
                + " runs past the end of the file");
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      readFully(body, pos + 8, source);
      pos += 8 + ((length + 3L) & ~3L);
      if (cflag == 0 && out == null) {
        return body.array();
      }
      if (out == null) {
        if (cflag != 1) {
          throw new CorruptImageException(source, "record starts with continuation flag " + cflag);
        }
        out = new ByteArrayOutputStream(length * 2);
      }
      out.write(body.array());
      if (cflag == 3) {
        return out.toByteArray();
      }
      if (cflag != 1 && cflag != 2) {
        throw new CorruptImageException(
            source, "bad continuation flag " + cflag + " inside a split record");
      }
      out.write(MAGIC & 0xff);
      out.write((MAGIC >>> 8) & 0xff);
      out.write((MAGIC >>> 16) & 0xff);
      out.write(MAGIC >>> 24);
    }
  }

  private void readFully(ByteBuffer buf, long pos, String source) throws IOException {
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new CorruptImageException(source, "file ends inside a record");
      }
      pos += n;
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing was written; a failed close of a read-only channel loses nothing.
    }
  }

  /**
   * The image-record header MXNet puts before each payload ({@code mx.recordio.pack}): uint32 flag,
   * float32 label, uint64 id, uint64 id2; when flag > 0, flag float32 labels follow and replace the
   * single label. {@code payloadOffset} is where the image bytes start.
   */
  public record ImageHeader(int flag, float[] labels, long id, long id2, int payloadOffset) {
    public static final int SIZE = 24;

    public static ImageHeader parse(byte[] record, String source) {
      if (record.length < SIZE) {
        throw new CorruptImageException(
            source, "record of " + record.length + " bytes is shorter than its 24-byte header");
      }
      ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
      int flag = b.getInt();
      float label = b.getFloat();
      long id = b.getLong();
      long id2 = b.getLong();
      if (flag < 0 || flag > (record.length - SIZE) / 4) {
        throw new CorruptImageException(
            source,
            "header announces "
                + Integer.toUnsignedString(flag)
                + " labels in a record of "
                + record.length
                + " bytes");
      }
      float[] labels;
      if (flag == 0) {
        labels = new float[] {label};
      } else {
        labels = new float[flag];
        for (int i = 0; i < flag; i++) {
          labels[i] = b.getFloat();
        }
      }
      return new ImageHeader(flag, labels, id, id2, SIZE + 4 * flag);
    }
  }
}
