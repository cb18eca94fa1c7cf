package io.qmargin.data.face;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * razorvine's unpickler taught the few numpy objects validation .bin files contain: arrays
 * ({@code numpy.core.multiarray._reconstruct} or {@code numpy._core...} in numpy 2, then a
 * {@code __setstate__} with (version, shape, dtype, fortran, raw bytes)), dtypes and scalars. It
 * intercepts those globals per instance instead of through razorvine's static constructor
 * registry, so nothing global changes. Other globals go to razorvine's own handling.
 */
final class NumpyUnpickler extends Unpickler {
  private static final short GLOBAL = 'c';
  private static final short STACK_GLOBAL = 0x93;

  @Override
  protected Object dispatch(short key) throws IOException {
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
      case "ndarray" -> args -> {
        throw new IllegalStateException("numpy.ndarray called directly");
      };
      case "dtype" -> args -> new Dtype(String.valueOf(args[0]));
      case "scalar" -> args -> scalar((Dtype) args[0], args[1]);
      default -> args -> {
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
      default -> throw new IllegalStateException("unsupported numpy scalar of type " + dtype.code());
    };
  }

  private static byte[] bytes(Object raw) {
    if (raw instanceof byte[] b) {
      return b;
    }
    if (raw instanceof String s) {
      return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    throw new IllegalStateException("numpy raw data is a " + (raw == null ? "None" : raw.getClass().getSimpleName()));
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

  /** A numpy array as raw bytes in C order; filled by the unpickler through {@code __setstate__}. */
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
        throw new IllegalStateException("numpy array state of " + state.length + " fields, expected 5");
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
