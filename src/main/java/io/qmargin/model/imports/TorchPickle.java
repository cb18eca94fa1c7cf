package io.qmargin.model.imports;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pickle reader that executes nothing: the subset of the pickle protocol (0 to 5) that {@code
 * torch.save} writes for a state dict, with a closed list of the globals a state dict needs. Every
 * other global is refused as soon as the pickle names it, with its name, before anything is built.
 *
 * <p>Admitted globals: {@code collections.OrderedDict} (built as a {@link LinkedHashMap}), {@code
 * torch._utils._rebuild_tensor_v2} and {@code _rebuild_parameter} (built as a {@link TensorView} of
 * a storage), and the storage types {@code torch.FloatStorage}, {@code HalfStorage}, {@code
 * BFloat16Storage}, {@code DoubleStorage}, {@code LongStorage}, {@code IntStorage}, which only
 * appear inside persistent ids. Storages come from the caller ({@code storages}: key and type to
 * bytes), so this class reads no file. Plain values: None, booleans, integers, floats, strings,
 * bytes, lists, tuples (as {@link List}), dicts (as {@link LinkedHashMap}).
 */
public final class TorchPickle {

  /** A global the pickle named: module and name, as Python spells them. */
  record Global(String module, String name) {
    @Override
    public String toString() {
      return module + "." + name;
    }
  }

  /** The element types of the admitted storages, by the storage class name. */
  public enum StorageType {
    FLOAT(4),
    HALF(2),
    BFLOAT16(2),
    DOUBLE(8),
    LONG(8),
    INT(4);

    private final int bytes;

    StorageType(int bytes) {
      this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
      return bytes;
    }

    static StorageType of(String className) {
      return switch (className) {
        case "FloatStorage" -> FLOAT;
        case "HalfStorage" -> HALF;
        case "BFloat16Storage" -> BFLOAT16;
        case "DoubleStorage" -> DOUBLE;
        case "LongStorage" -> LONG;
        case "IntStorage" -> INT;
        default -> null;
      };
    }
  }

  /** A storage: its element type and raw bytes in the file's byte order. */
  public record Storage(StorageType type, ByteBuffer data) {
    /** Number of elements. */
    public long size() {
      return data.capacity() / type.bytes();
    }

    /** Element {@code i} as a float (half and bfloat16 widened, long and double narrowed). */
    public float get(long i) {
      int at = Math.toIntExact(i * type.bytes());
      return switch (type) {
        case FLOAT -> data.getFloat(at);
        case HALF -> halfToFloat(data.getShort(at));
        case BFLOAT16 -> Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
        case DOUBLE -> (float) data.getDouble(at);
        case LONG -> data.getLong(at);
        case INT -> data.getInt(at);
      };
    }
  }

  /** IEEE 754 binary16 to float (exact: every half is a float); Java 17 has no such method. */
  static float halfToFloat(short bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) { // infinity or NaN
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa * 2^-24
      float v = mantissa * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  /**
   * A tensor as {@code _rebuild_tensor_v2} describes it: a strided view of a storage
   * (non-contiguous views are possible).
   */
  public record TensorView(Storage storage, long offset, long[] shape, long[] stride) {

    /** The values in row-major (C) order, read through the strides. */
    public float[] values() {
      long n = 1;
      long last = offset; // the furthest element the view reads
      for (int d = 0; d < shape.length; d++) {
        n *= shape[d];
        if (shape[d] > 0) {
          last += (shape[d] - 1) * stride[d];
        }
      }
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("a tensor of " + n + " elements is too large");
      }
      if (n > 0 && (offset < 0 || last >= storage.size())) {
        throw new IllegalArgumentException(
            "a tensor of shape "
                + Arrays.toString(shape)
                + " reads past its storage of "
                + storage.size()
                + " elements");
      }
      float[] out = new float[(int) n];
      if (storage.type() == StorageType.FLOAT && isContiguous()) { // the common case, in bulk
        storage
            .data()
            .duplicate()
            .order(storage.data().order())
            .position(Math.toIntExact(offset * 4))
            .asFloatBuffer()
            .get(out);
        return out;
      }
      long[] index = new long[shape.length];
      for (int i = 0; i < out.length; i++) {
        long at = offset;
        for (int d = 0; d < shape.length; d++) {
          at += index[d] * stride[d];
        }
        out[i] = storage.get(at);
        for (int d = shape.length - 1; d >= 0; d--) {
          if (++index[d] < shape[d]) {
            break;
          }
          index[d] = 0;
        }
      }
      return out;
    }

    /** Whether the strides are those of a row-major array of the shape. */
    boolean isContiguous() {
      long expected = 1;
      for (int d = shape.length - 1; d >= 0; d--) {
        if (shape[d] != 1 && stride[d] != expected) {
          return false;
        }
        expected *= shape[d];
      }
      return true;
    }
  }

  /** A pickle that cannot be read as a state dict; the message says why. */
  public static final class RefusedException extends RuntimeException {
    RefusedException(String message) {
      super(message);
    }
  }

  private static final Set<String> CALLABLE =
      Set.of(
          "collections.OrderedDict",
          "torch._utils._rebuild_tensor_v2",
          "torch._utils._rebuild_parameter");

  private static final Object MARK = new Object();

  private final byte[] pickle;
  private final Function<StorageKey, Storage> storages;
  private int pos;
  private final List<Object> stack = new ArrayList<>();
  private final Map<Integer, Object> memo = new HashMap<>();

  /** The key of a storage in a persistent id: the archive's {@code data/<key>} and its type. */
  public record StorageKey(String key, StorageType type, long elements) {}

  private TorchPickle(byte[] pickle, Function<StorageKey, Storage> storages) {
    this.pickle = pickle;
    this.storages = storages;
  }

  /**
   * The object {@code pickle} describes.
   *
   * @param storages the storage of each persistent id (a torch zip's {@code data/<key>} entry)
   * @throws RefusedException when the pickle names a global outside the admitted list, uses an
   *     opcode outside the subset, or ends early
   */
  public static Object read(byte[] pickle, Function<StorageKey, Storage> storages) {
    return new TorchPickle(pickle, storages).run();
  }

  private Object run() {
    while (true) {
      int at = pos;
      int op = u8();
      switch (op) {
        case 0x80 -> u8(); // PROTO
        case 0x95 -> bytes(8); // FRAME: a length hint only
        case '.' -> {
          return pop();
        }
        case '(' -> stack.add(MARK);
        case '}' -> stack.add(new LinkedHashMap<>());
        case ']' -> stack.add(new ArrayList<>());
        case ')' -> stack.add(List.of());
        case 't' -> stack.add(List.copyOf(nullSafe(popToMark())));
        case 0x85 -> stack.add(tuple(1));
        case 0x86 -> stack.add(tuple(2));
        case 0x87 -> stack.add(tuple(3));
        case 'q' -> memo.put(u8(), top());
        case 'r' -> memo.put(i32(), top());
        case 0x94 -> memo.put(memo.size(), top());
        case 'h' -> stack.add(memoGet(u8()));
        case 'j' -> stack.add(memoGet(i32()));
        case 'J' -> stack.add((long) i32());
        case 'K' -> stack.add((long) u8());
        case 'M' -> stack.add((long) (u8() | (u8() << 8)));
        case 0x8a -> stack.add(long1(u8()));
        case 'N' -> stack.add(null);
        case 0x88 -> stack.add(Boolean.TRUE);
        case 0x89 -> stack.add(Boolean.FALSE);
        case 'G' -> stack.add(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
        case 0x8c, 'U' -> stack.add(text(u8(), op == 'U'));
        case 'X', 'T' -> stack.add(text(length(i32()), op == 'T'));
        case 0x8d -> stack.add(text(length(i64()), false));
        case 'C' -> stack.add(bytes(u8()));
        case 'B' -> stack.add(bytes(length(i32())));
        case 0x8e -> stack.add(bytes(length(i64())));
        case 'c' -> stack.add(global(line(), line()));
        case 0x93 -> {
          String name = (String) pop();
          String module = (String) pop();
          stack.add(global(module, name));
        }
        case 'R' -> {
          List<?> args = (List<?>) pop();
          stack.add(call(pop(), args));
        }
        case 'b' -> build();
        case 's' -> {
          Object value = pop();
          Object key = pop();
          dict(top()).put(key, value);
        }
        case 'u' -> {
          List<Object> items = popToMark();
          Map<Object, Object> dict = dict(top());
          for (int i = 0; i + 1 < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
          }
        }
        case 'a' -> {
          Object value = pop();
          list(top()).add(value);
        }
        case 'e' -> {
          List<Object> items = popToMark();
          list(top()).addAll(items);
        }
        case 'Q' -> stack.add(persistent(pop()));
        case '0' -> pop();
        case '1' -> popToMark();
        case '2' -> stack.add(top());
        default ->
            throw new RefusedException(
                String.format(
                    "pickle opcode 0x%02x at byte %d is outside what a state dict needs", op, at));
      }
    }
  }

  private Global global(String module, String name) {
    Global g = new Global(module, name);
    boolean storage = module.equals("torch") && StorageType.of(name) != null;
    if (!storage && !CALLABLE.contains(g.toString())) {
      throw new RefusedException(
          "the pickle names " + g + ", which a state dict does not need; refusing to load it");
    }
    return g;
  }

  private Object call(Object callable, List<?> args) {
    if (!(callable instanceof Global g) || !CALLABLE.contains(g.toString())) {
      throw new RefusedException("the pickle calls " + callable + ", which is not admitted");
    }
    return switch (g.name()) {
      case "OrderedDict" -> new LinkedHashMap<>();
      case "_rebuild_parameter" -> args.get(0);
      default -> rebuildTensor(args);
    };
  }

  /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, meta])}. */
  private static TensorView rebuildTensor(List<?> args) {
    if (args.size() < 4 || !(args.get(0) instanceof Storage storage)) {
      throw new RefusedException("_rebuild_tensor_v2 with unexpected arguments " + args);
    }
    long[] shape = longs(args.get(2));
    long[] stride = longs(args.get(3));
    if (Arrays.stream(shape).anyMatch(d -> d < 0) || Arrays.stream(stride).anyMatch(d -> d < 0)) {
      throw new RefusedException(
          "a tensor of shape "
              + Arrays.toString(shape)
              + " and strides "
              + Arrays.toString(stride));
    }
    if (shape.length != stride.length) {
      throw new RefusedException(
          "a tensor of shape "
              + Arrays.toString(shape)
              + " has strides "
              + Arrays.toString(stride));
    }
    return new TensorView(storage, ((Number) args.get(1)).longValue(), shape, stride);
  }

  private static long[] longs(Object tuple) {
    return ((List<?>) tuple).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
  }

  /** BUILD: only an OrderedDict's instance attributes (a state dict's {@code _metadata}). */
  private void build() {
    Object state = pop();
    Object target = top();
    if (!(target instanceof Map) || !(state instanceof Map || state == null)) {
      throw new RefusedException(
          "the pickle sets the state of a "
              + (target == null ? "None" : target.getClass().getSimpleName())
              + ", which a state dict does not do");
    }
  }

  /** {@code ('storage', torch.XStorage, key, location, numel)}. */
  private Storage persistent(Object pid) {
    if (!(pid instanceof List<?> t)
        || t.size() < 5
        || !"storage".equals(t.get(0))
        || !(t.get(1) instanceof Global type)) {
      throw new RefusedException("unexpected persistent id " + pid);
    }
    StorageType st = StorageType.of(type.name());
    return storages.apply(
        new StorageKey(String.valueOf(t.get(2)), st, ((Number) t.get(4)).longValue()));
  }

  private Object memoGet(int key) {
    if (!memo.containsKey(key)) {
      throw new RefusedException("the pickle refers to memo entry " + key + " before setting it");
    }
    return memo.get(key);
  }

  private List<Object> tuple(int n) {
    if (stack.size() < n) {
      throw new RefusedException("corrupt pickle: a tuple of " + n + " on a shorter stack");
    }
    List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
    stack.subList(stack.size() - n, stack.size()).clear();
    return List.copyOf(nullSafe(items));
  }

  /** Tuples hold None as a sentinel here, since {@link List#copyOf} refuses nulls. */
  private static List<Object> nullSafe(List<Object> items) {
    items.replaceAll(v -> v == null ? NONE : v);
    return items;
  }

  /** None inside a tuple. */
  static final Object NONE =
      new Object() {
        @Override
        public String toString() {
          return "None";
        }
      };

  private List<Object> popToMark() {
    for (int i = stack.size() - 1; i >= 0; i--) {
      if (stack.get(i) == MARK) {
        List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
        stack.subList(i, stack.size()).clear();
        return items;
      }
    }
    throw new RefusedException("corrupt pickle: no mark on the stack");
  }

  private Object pop() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw new RefusedException("corrupt pickle: pops an empty stack");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object top() {
    if (stack.isEmpty()) {
      throw new RefusedException("corrupt pickle: reads an empty stack");
    }
    return stack.get(stack.size() - 1);
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> dict(Object o) {
    if (o instanceof Map<?, ?> m) {
      return (Map<Object, Object>) m;
    }
    throw new RefusedException("corrupt pickle: sets an item of a non-dict");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    if (o instanceof ArrayList<?> l) {
      return (List<Object>) l;
    }
    throw new RefusedException("corrupt pickle: appends to a non-list");
  }

  private int u8() {
    need(1);
    return pickle[pos++] & 0xff;
  }

  private int i32() {
    need(4);
    int v = ByteBuffer.wrap(pickle, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    pos += 4;
    return v;
  }

  private long i64() {
    need(8);
    long v = ByteBuffer.wrap(pickle, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    pos += 8;
    return v;
  }

  private int length(long declared) {
    if (declared < 0 || declared > pickle.length - pos) {
      throw new RefusedException(
          "the pickle declares an item of "
              + declared
              + " bytes with "
              + (pickle.length - pos)
              + " left (truncated or corrupt)");
    }
    return (int) declared;
  }

  /** LONG1: a little-endian two's-complement integer of n bytes (at most 8 here). */
  private long long1(int n) {
    if (n > 8) {
      throw new RefusedException("an integer of " + n + " bytes is out of range");
    }
    byte[] b = bytes(n);
    long v = n > 0 && b[n - 1] < 0 ? -1 : 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private byte[] bytes(int n) {
    need(n);
    byte[] b = Arrays.copyOfRange(pickle, pos, pos + n);
    pos += n;
    return b;
  }

  private String text(int n, boolean latin1) {
    return new String(bytes(n), latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  private String line() {
    int start = pos;
    while (pos < pickle.length && pickle[pos] != '\n') {
      pos++;
    }
    need(1);
    String s = new String(pickle, start, pos - start, StandardCharsets.UTF_8);
    pos++;
    return s;
  }

  private void need(int n) {
    if (n > pickle.length - pos) {
      throw new RefusedException("the pickle ends early (truncated or corrupt) at byte " + pos);
    }
  }
}
