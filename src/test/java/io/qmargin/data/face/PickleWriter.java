package io.qmargin.data.face;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A minimal pickle writer for tests: just the opcodes insightface validation .bin files use,
 * written one by one as Python 2, Python 3 and numpy produce them.
 */
public final class PickleWriter {
  /**
   * {@code pickle.dumps((images, issame), protocol=3)}: a validation .bin as Python 3 writes it.
   */
  public static byte[] validationBin(java.util.List<byte[]> images, boolean... issame) {
    PickleWriter p = new PickleWriter().op(0x80, 3).op(']', '(');
    for (byte[] img : images) {
      p.binbytes(img);
    }
    p.op('e', ']', '(');
    for (boolean same : issame) {
      p.op(same ? 0x88 : 0x89);
    }
    return p.op('e', 0x86, '.').bytes();
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public PickleWriter op(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  public PickleWriter raw(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  public PickleWriter int32(int v) {
    return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  public PickleWriter global(String module, String name) {
    return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  public PickleWriter stackGlobal(String module, String name) {
    return shortUnicode(module).shortUnicode(name).op(0x93);
  }

  public PickleWriter shortUnicode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op(0x8c, b.length).raw(b);
  }

  public PickleWriter unicode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op('X').int32(b.length).raw(b);
  }

  public PickleWriter binstring(byte[] b) { // Python 2 str
    return op('T').int32(b.length).raw(b);
  }

  public PickleWriter binbytes(byte[] b) { // Python 3 bytes, protocol >= 3
    return op('B').int32(b.length).raw(b);
  }

  /** Python 3 bytes under protocol 2: _codecs.encode(latin-1 text, 'latin1'). */
  public PickleWriter codecsBytes(byte[] b) {
    return global("_codecs", "encode")
        .unicode(new String(b, StandardCharsets.ISO_8859_1))
        .unicode("latin1")
        .op(0x86, 'R');
  }

  /** numpy.ndarray.__reduce__ of a 1-D array: _reconstruct(ndarray, (0,), b'b') then BUILD. */
  public PickleWriter ndarray(String dtype, byte[] data, int length) {
    stackGlobal("numpy.core.multiarray", "_reconstruct")
        .stackGlobal("numpy", "ndarray")
        .op('K', 0, 0x85)
        .op('C', 1, 'b')
        .op(0x87, 'R');
    op('(', 'K', 1).op('J').int32(length).op(0x85);
    stackGlobal("numpy", "dtype").shortUnicode(dtype).op(0x89, 0x88, 0x87, 'R');
    op('(', 'K', 3)
        .shortUnicode("|")
        .op('N', 'N', 'N')
        .op('J')
        .int32(-1)
        .op('J')
        .int32(-1)
        .op('K', 0, 't', 'b');
    return op(0x89).binbytes(data).op('t', 'b');
  }

  public byte[] bytes() {
    return out.toByteArray();
  }
}
