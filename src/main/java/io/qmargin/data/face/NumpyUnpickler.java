package io.qmargin.data.face;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.List;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * razorvine's unpickler taught the few numpy objects validation .bin files contain: arrays ({@code
 * numpy.core.multiarray._reconstruct} or {@code numpy._core...} in numpy 2, then a {@code
 * __setstate__} with (version, shape, dtype, fortran, raw bytes)), dtypes and scalars. It
 * intercepts those globals per instance instead of through razorvine's static constructor registry,
 * so nothing global changes. Other globals go to razorvine's own handling.
 *
 * <p>Opcodes that declare a length ({@code BINBYTES}, {@code BINUNICODE8}, ...) are not trusted:
 * their data is read in blocks first, so a short file declaring gigabytes fails at its end with a
 * {@link PickleException} naming both sizes instead of allocating what it declares; razorvine then
 * decodes the item from the bytes read.
 */
final class NumpyUnpickler extends Unpickler {
  private static final short GLOBAL = 'c';
  private static final short STACK_GLOBAL = 0x93;
  private static final int BLOCK = 1 << 20;

  @Override
  protected Object dispatch(short key) throws IOException {
    int lengthBytes = declaredLengthBytes(key);
    if (lengthBytes > 0) {
      return dispatchSized(key, lengthBytes);
    }
    if (key == GLOBAL) {
      String module = PickleUtils.readline(input);
      String name = PickleUtils.readline(input);
      return global(module, name);
    }
    if (key == STACK_GLOBAL) {
      String name = (String) stack.pop();
      String module = (String) stack.pop();
      return global(module, name);
    }
    return super.dispatch(key);
  }

  /**
   * Width of the little-endian length that follows the opcode, or 0 for opcodes without one (or a
   * 1-byte one).
   */
  private static int declaredLengthBytes(short key) {
    return switch (key) {
      case 'T', 'X', 'B', 0x8b -> 4; // BINSTRING, BINUNICODE, BINBYTES, LONG4
      case 0x8d, 0x8e, 0x96 -> 8; // BINUNICODE8, BINBYTES8, BYTEARRAY8
      default -> 0;
    };
  }

  private Object dispatchSized(short key, int lengthBytes) throws IOException {
    byte[] header = input.readNBytes(lengthBytes);
    if (header.length < lengthBytes) {
      throw new PickleException(
          "truncated pickle: the file ends inside the length of opcode 0x"
              + Integer.toHexString(key));
    }
    long declared = 0;
    for (int i = lengthBytes - 1; i >= 0; i--) {
      declared = (declared << 8) | (header[i] & 0xff);
    }
    if (lengthBytes == 4 && (key == 'T' || key == 0x8b)) {
      declared = (int) declared; // signed in these two
    }
    if (declared < 0 || declared > Integer.MAX_VALUE - 8) {
      throw new PickleException(
          "an item declares "
              + declared
              + " bytes (opcode 0x"
              + Integer.toHexString(key)
              + "); this reader takes items of 0 to 2 GiB");
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream((int) Math.min(declared, BLOCK));
    byte[] block = new byte[(int) Math.min(declared, BLOCK)];
    while (data.size() < declared) {
      int n = input.readNBytes(block, 0, (int) Math.min(block.length, declared - data.size()));
      if (n == 0) {
        throw new PickleException(
            "an item declares "
                + declared
                + " bytes but the file ends after "
                + data.size()
                + " of them (truncated or corrupt pickle)");
      }
      data.write(block, 0, n);
    }
    // Let razorvine decode the item from what was read, as if from the file.
    InputStream file = input;
    input =
        new SequenceInputStream(
            new ByteArrayInputStream(header), new ByteArrayInputStream(data.toByteArray()));
    try {
      return super.dispatch(key);
    } finally {
      input = file;
    }
  }

  private Object global(String module, String name) throws IOException {
    IObjectConstructor numpy = numpyConstructor(module, name);
    if (numpy != null) {
      stack.add(numpy);
      return NO_RETURN_VALUE;
    }
    // Not numpy: hand the names back to razorvine's STACK_GLOBAL, which resolves them as usual.
    stack.add(module);
    stack.add(name);
    return super.dispatch(STACK_GLOBAL);
  }

  private static IObjectConstructor numpyConstructor(String module, String name) {
    if (!module.equals("numpy") && !module.startsWith("numpy.")) {
      return null;
    }
    return switch (name) {
      case "_reconstruct" -> args -> new NdArray();
      case "ndarray" ->
          args -> {
            throw new IllegalStateException("numpy.ndarray called directly");
          };
      case "dtype" -> args -> new Dtype(String.valueOf(args[0]));
      case "scalar" -> args -> scalar((Dtype) args[0], args[1]);
      default ->
          args -> {
            throw new IllegalStateException("unsupported numpy object " + module + "." + name);
          };
    };
  }

  private static Object scalar(Dtype dtype, Object raw) {
    byte[] b = bytes(raw);
    return switch (dtype.code()) {
      case "b1" -> b[0] != 0;
      case "i1", "u1" -> Integer.valueOf(dtype.code().equals("u1") ? b[0] & 0xff : b[0]);
      case "i8", "i4" -> {
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
          v = (v << 8) | (b[i] & 0xff);
        }
        yield dtype.code().equals("i4") ? (Object) (int) v : (Object) v;
      }
      default ->
          throw new IllegalStateException("unsupported numpy scalar of type " + dtype.code());
    };
  }

  private static byte[] bytes(Object raw) {
    if (raw instanceof byte[] b) {
      return b;
    }
    if (raw instanceof String s) {
      return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    throw new IllegalStateException(
        "numpy raw data is a " + (raw == null ? "None" : raw.getClass().getSimpleName()));
  }

  /** A numpy dtype; {@code code()} drops the byte-order character ("u1", "b1", "<f4" -> "f4"). */
  public static final class Dtype {
    private final String code;

    Dtype(String code) {
      this.code = code.replaceFirst("^[<>|=]", "");
    }

    public String code() {
      return code;
    }

    /** Called by the unpickler with numpy's dtype state; only the type code matters here. */
    public void __setstate__(Object[] state) {}
  }

  /**
   * A numpy array as raw bytes in C order; filled by the unpickler through {@code __setstate__}.
   */
  public static final class NdArray {
    private int[] shape = new int[0];
    private Dtype dtype;
    private byte[] data;

    public int[] shape() {
      return shape;
    }

    public String dtype() {
      return dtype == null ? "?" : dtype.code();
    }

    public byte[] data() {
      return data;
    }

    boolean isBytes() {
      return dtype().equals("u1") || dtype().equals("i1");
    }

    /** numpy's ndarray state: (version, shape, dtype, is_fortran, raw data). */
    public void __setstate__(Object[] state) {
      if (state.length != 5) {
        throw new IllegalStateException(
            "numpy array state of " + state.length + " fields, expected 5");
      }
      Object[] dims = state[1] instanceof Object[] o ? o : ((List<?>) state[1]).toArray();
      shape = Arrays.stream(dims).mapToInt(d -> ((Number) d).intValue()).toArray();
      dtype = (Dtype) state[2];
      if (Boolean.TRUE.equals(state[3]) && shape.length > 1) {
        throw new IllegalStateException("Fortran-ordered numpy arrays are not supported");
      }
      data = bytes(state[4]);
    }

    @Override
    public String toString() {
      return "a numpy array of " + dtype() + " with shape " + Arrays.toString(shape);
    }
  }
}
