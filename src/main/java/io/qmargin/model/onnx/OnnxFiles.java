package io.qmargin.model.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.qmargin.UserInputException;
import io.qmargin.io.AtomicFiles;
import io.qmargin.model.onnx.OnnxModel.Attribute;
import io.qmargin.model.onnx.OnnxModel.Dim;
import io.qmargin.model.onnx.OnnxModel.Graph;
import io.qmargin.model.onnx.OnnxModel.Node;
import io.qmargin.model.onnx.OnnxModel.Tensor;
import io.qmargin.model.onnx.OnnxModel.ValueInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link OnnxModel}s in ONNX's protobuf encoding ({@code onnx.proto}, field
 * numbers as there), with protobuf's wire-level streams and no generated classes: only the fields
 * qmargin uses are decoded, every other field is skipped. Tensors are written as little-endian
 * {@code raw_data}; read from {@code raw_data}, {@code float_data}, {@code double_data}, {@code
 * int32_data} or {@code int64_data}. Tensors in external files are refused.
 */
public final class OnnxFiles {
  private OnnxFiles() {}

  /** TensorProto.DataType FLOAT. */
  public static final int FLOAT = 1;

  /** TensorProto.DataType INT32. */
  static final int INT32 = 6;

  /** TensorProto.DataType INT64. */
  public static final int INT64 = 7;

  /** TensorProto.DataType DOUBLE. */
  static final int DOUBLE = 11;

  // AttributeProto.AttributeType
  private static final int ATTR_FLOAT = 1;
  private static final int ATTR_INT = 2;
  private static final int ATTR_STRING = 3;
  private static final int ATTR_TENSOR = 4;
  private static final int ATTR_FLOATS = 6;
  private static final int ATTR_INTS = 7;

  /**
   * Reads an ONNX model.
   *
   * @throws UserInputException naming the file when it is not readable, truncated, not an ONNX
   *     model, or holds what qmargin does not read (external tensor data, other element types)
   */
  public static OnnxModel read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    try {
      return parse(bytes, file);
    } catch (IOException | RuntimeException e) {
      if (e instanceof UserInputException u) {
        throw u;
      }
      throw new UserInputException(
          file + ": not a readable ONNX model, truncated or corrupt (" + e.getMessage() + ")", e);
    }
  }

  /** Decodes an ONNX model; {@code source} names it in messages. */
  static OnnxModel parse(byte[] bytes, Path source) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    long ir = 0;
    String producer = "";
    String producerVersion = "";
    Map<String, Long> opsets = new LinkedHashMap<>();
    Graph graph = null;
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> ir = in.readInt64();
        case 2 -> producer = in.readString();
        case 3 -> producerVersion = in.readString();
        case 7 -> {
          int old = enter(in);
          graph = readGraph(in, source);
          in.popLimit(old);
        }
        case 8 -> {
          int old = enter(in);
          String[] kv = readPair(in);
          opsets.put(kv[0], Long.parseLong(kv[1]));
          in.popLimit(old);
        }
        case 14 -> {
          int old = enter(in);
          String[] kv = readPair(in);
          metadata.put(kv[0], kv[1]);
          in.popLimit(old);
        }
        default -> in.skipField(tag);
      }
    }
    String missing =
        ir <= 0 ? "IR version" : opsets.isEmpty() ? "opset_import" : graph == null ? "graph" : null;
    if (missing != null) {
      throw new UserInputException(
          source + ": not an ONNX model, or truncated (it has no " + missing + ")");
    }
    return new OnnxModel(ir, producer, producerVersion, opsets, graph, metadata);
  }

  /** Reads a length prefix and limits the stream to it; returns the old limit. */
  private static int enter(CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) {
      throw new IOException("negative length " + length);
    }
    return in.pushLimit(length);
  }

  /**
   * OperatorSetIdProto (domain 1, version 2 as int64) or StringStringEntryProto (key 1, value 2).
   */
  private static String[] readPair(CodedInputStream in) throws IOException {
    String[] kv = {"", ""};
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      int wire = WireFormat.getTagWireType(tag);
      if (field == 1) {
        kv[0] = in.readString();
      } else if (field == 2) {
        kv[1] =
            wire == WireFormat.WIRETYPE_VARINT ? Long.toString(in.readInt64()) : in.readString();
      } else {
        in.skipField(tag);
      }
    }
    return kv;
  }

  private static Graph readGraph(CodedInputStream in, Path source) throws IOException {
    String name = "";
    List<Node> nodes = new ArrayList<>();
    List<Tensor> initializers = new ArrayList<>();
    List<ValueInfo> inputs = new ArrayList<>();
    List<ValueInfo> outputs = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == 2) {
        name = in.readString();
        continue;
      }
      if (field != 1 && field != 5 && field != 11 && field != 12) {
        in.skipField(tag);
        continue;
      }
      int old = enter(in);
      switch (field) {
        case 1 -> nodes.add(readNode(in, source));
        case 5 -> initializers.add(readTensor(in, source));
        case 11 -> inputs.add(readValueInfo(in));
        default -> outputs.add(readValueInfo(in));
      }
      in.popLimit(old);
    }
    return new Graph(name, nodes, initializers, inputs, outputs);
  }

  private static Node readNode(CodedInputStream in, Path source) throws IOException {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String name = "";
    String op = "";
    Map<String, Attribute> attributes = new LinkedHashMap<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> inputs.add(in.readString());
        case 2 -> outputs.add(in.readString());
        case 3 -> name = in.readString();
        case 4 -> op = in.readString();
        case 5 -> {
          int old = enter(in);
          Attribute a = readAttribute(in, source);
          if (a != null) {
            attributes.put(a.name(), a);
          }
          in.popLimit(old);
        }
        default -> in.skipField(tag);
      }
    }
    return new Node(name, op, inputs, outputs, attributes);
  }

  /** An attribute of a type qmargin reads, else null (graphs, strings lists, sparse tensors). */
  private static Attribute readAttribute(CodedInputStream in, Path source) throws IOException {
    String name = "";
    int type = 0;
    Object f = null;
    Object i = null;
    Object s = null;
    Object t = null;
    List<Float> floats = new ArrayList<>();
    List<Long> ints = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int wire = WireFormat.getTagWireType(tag);
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> name = in.readString();
        case 20 -> type = in.readInt32();
        case 2 -> f = in.readFloat();
        case 3 -> i = in.readInt64();
        case 4 -> s = in.readString(); // bytes in ONNX; malformed UTF-8 is replaced, not refused
        case 5 -> {
          int old = enter(in);
          t = readTensor(in, source);
          in.popLimit(old);
        }
        case 7 -> readFloats(in, wire, floats);
        case 8 -> readLongs(in, wire, ints);
        default -> in.skipField(tag);
      }
    }
    Object value =
        switch (type) {
          case ATTR_FLOAT -> f;
          case ATTR_INT -> i;
          case ATTR_STRING -> s;
          case ATTR_TENSOR -> t;
          case ATTR_FLOATS -> toFloatArray(floats);
          case ATTR_INTS -> ints.stream().mapToLong(Long::longValue).toArray();
          default -> null;
        };
    return value == null ? null : new Attribute(name, value);
  }

  private static ValueInfo readValueInfo(CodedInputStream in) throws IOException {
    String name = "";
    int elementType = 0;
    List<Dim> dims = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == 1) {
        name = in.readString();
      } else if (field == 2) {
        int typeLimit = enter(in); // TypeProto
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
          if (WireFormat.getTagFieldNumber(t) != 1) {
            in.skipField(t);
            continue;
          }
          int tensorLimit = enter(in); // TypeProto.Tensor
          for (int u = in.readTag(); u != 0; u = in.readTag()) {
            int uf = WireFormat.getTagFieldNumber(u);
            if (uf == 1) {
              elementType = in.readInt32();
            } else if (uf == 2) {
              int shapeLimit = enter(in); // TensorShapeProto
              for (int v = in.readTag(); v != 0; v = in.readTag()) {
                if (WireFormat.getTagFieldNumber(v) != 1) {
                  in.skipField(v);
                  continue;
                }
                int dimLimit = enter(in);
                dims.add(readDim(in));
                in.popLimit(dimLimit);
              }
              in.popLimit(shapeLimit);
            } else {
              in.skipField(u);
            }
          }
          in.popLimit(tensorLimit);
        }
        in.popLimit(typeLimit);
      } else {
        in.skipField(tag);
      }
    }
    return new ValueInfo(name, elementType, dims);
  }

  private static Dim readDim(CodedInputStream in) throws IOException {
    Dim dim = new Dim(-1, null); // neither value nor name: unknown
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> dim = Dim.of(in.readInt64());
        case 2 -> dim = Dim.named(in.readString());
        default -> in.skipField(tag);
      }
    }
    return dim;
  }

  private static Tensor readTensor(CodedInputStream in, Path source) throws IOException {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    byte[] raw = null;
    List<Float> floats = new ArrayList<>();
    List<Long> ints = new ArrayList<>();
    boolean external = false;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int wire = WireFormat.getTagWireType(tag);
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> readLongs(in, wire, dims);
        case 2 -> dataType = in.readInt32();
        case 4 -> readFloats(in, wire, floats);
        case 5, 7 -> readLongs(in, wire, ints); // int32_data (varints too) and int64_data
        case 8 -> name = in.readString();
        case 9 -> raw = in.readByteArray();
        case 10 -> readDoubles(in, wire, floats);
        case 14 -> external = in.readInt32() == 1;
        default -> in.skipField(tag);
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    if (external) {
      throw new UserInputException(
          source + ": tensor '" + name + "' is stored in an external file, which is not supported");
    }
    try {
      return switch (dataType) {
        case FLOAT, DOUBLE -> {
          float[] values = raw == null ? toFloatArray(floats) : rawFloats(raw, dataType == DOUBLE);
          yield Tensor.of(name, shape, values);
        }
        case INT32, INT64 -> {
          long[] values =
              raw == null
                  ? ints.stream().mapToLong(Long::longValue).toArray()
                  : rawLongs(raw, dataType == INT32);
          yield new Tensor(name, shape, null, values);
        }
        default ->
            throw new UserInputException(
                source
                    + ": tensor '"
                    + name
                    + "' has ONNX element type "
                    + dataType
                    + "; qmargin reads float, double, int32 and int64 tensors");
      };
    } catch (IllegalArgumentException e) {
      throw new UserInputException(source + ": " + e.getMessage(), e);
    }
  }

  private static float[] rawFloats(byte[] raw, boolean doubles) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[raw.length / (doubles ? 8 : 4)];
    for (int k = 0; k < out.length; k++) {
      out[k] = doubles ? (float) b.getDouble() : b.getFloat();
    }
    return out;
  }

  private static long[] rawLongs(byte[] raw, boolean int32) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[raw.length / (int32 ? 4 : 8)];
    for (int k = 0; k < out.length; k++) {
      out[k] = int32 ? b.getInt() : b.getLong();
    }
    return out;
  }

  /** A repeated varint field, packed (wire type 2) or not. */
  private static void readLongs(CodedInputStream in, int wire, List<Long> out) throws IOException {
    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      int old = enter(in);
      while (in.getBytesUntilLimit() > 0) {
        out.add(in.readInt64());
      }
      in.popLimit(old);
    } else {
      out.add(in.readInt64());
    }
  }

  /** A repeated float field, packed or not. */
  private static void readFloats(CodedInputStream in, int wire, List<Float> out)
      throws IOException {
    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      int old = enter(in);
      while (in.getBytesUntilLimit() > 0) {
        out.add(in.readFloat());
      }
      in.popLimit(old);
    } else {
      out.add(in.readFloat());
    }
  }

  /** A repeated double field, packed or not, narrowed to floats. */
  private static void readDoubles(CodedInputStream in, int wire, List<Float> out)
      throws IOException {
    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      int old = enter(in);
      while (in.getBytesUntilLimit() > 0) {
        out.add((float) in.readDouble());
      }
      in.popLimit(old);
    } else {
      out.add((float) in.readDouble());
    }
  }

  private static float[] toFloatArray(List<Float> values) {
    float[] out = new float[values.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = values.get(k);
    }
    return out;
  }

  // ---- writing ----

  /** Writes {@code model} to {@code file} atomically (the old file stays until it is complete). */
  public static void write(OnnxModel model, Path file) throws IOException {
    AtomicFiles.write(
        file,
        os -> {
          CodedOutputStream out = CodedOutputStream.newInstance(os, 1 << 16);
          writeModel(model, out);
          out.flush();
        });
  }

  /** The encoded model (for small models and tests). */
  static byte[] encode(OnnxModel model) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      writeModel(model, out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeModel(OnnxModel m, CodedOutputStream out) throws IOException {
    out.writeInt64(1, m.irVersion());
    out.writeString(2, m.producerName());
    out.writeString(3, m.producerVersion());
    for (Map.Entry<String, Long> e : m.opsets().entrySet()) {
      out.writeByteArray(
          8,
          message(
              o -> {
                o.writeString(1, e.getKey());
                o.writeInt64(2, e.getValue());
              }));
    }
    for (Map.Entry<String, String> e : m.metadata().entrySet()) {
      out.writeByteArray(
          14,
          message(
              o -> {
                o.writeString(1, e.getKey());
                o.writeString(2, e.getValue());
              }));
    }
    // the graph last, so that a file cut anywhere lacks it or ends inside it (both detected);
    // small parts encoded first, tensors (most of the bytes) streamed afterwards
    Graph g = m.graph();
    List<byte[]> parts = new ArrayList<>();
    for (Node n : g.nodes()) {
      parts.add(field(1, message(o -> writeNode(n, o))));
    }
    parts.add(field(2, g.name().getBytes(StandardCharsets.UTF_8)));
    for (ValueInfo v : g.inputs()) {
      parts.add(field(11, message(o -> writeValueInfo(v, o))));
    }
    for (ValueInfo v : g.outputs()) {
      parts.add(field(12, message(o -> writeValueInfo(v, o))));
    }
    long graphSize = 0;
    for (byte[] p : parts) {
      graphSize += p.length;
    }
    for (Tensor t : g.initializers()) {
      long size = tensorSize(t);
      graphSize += CodedOutputStream.computeTagSize(5) + varintSize(size) + size;
    }
    out.writeTag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt64NoTag(graphSize);
    for (byte[] p : parts) {
      out.writeRawBytes(p);
    }
    for (Tensor t : g.initializers()) {
      out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt64NoTag(tensorSize(t));
      writeTensor(t, out);
    }
  }

  private interface Body {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Body body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    body.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  /** A length-delimited field: tag, length, bytes. */
  private static byte[] field(int number, byte[] content) throws IOException {
    return message(o -> o.writeByteArray(number, content));
  }

  private static int varintSize(long value) {
    return CodedOutputStream.computeUInt64SizeNoTag(value);
  }

  private static void writeNode(Node n, CodedOutputStream out) throws IOException {
    for (String s : n.inputs()) {
      out.writeString(1, s);
    }
    for (String s : n.outputs()) {
      out.writeString(2, s);
    }
    out.writeString(3, n.name());
    out.writeString(4, n.opType());
    for (Attribute a : n.attributes().values()) {
      out.writeByteArray(5, message(o -> writeAttribute(a, o)));
    }
  }

  private static void writeAttribute(Attribute a, CodedOutputStream out) throws IOException {
    out.writeString(1, a.name());
    Object v = a.value();
    if (v instanceof Long i) {
      out.writeInt64(3, i);
      out.writeInt32(20, ATTR_INT);
    } else if (v instanceof Float f) {
      out.writeFloat(2, f);
      out.writeInt32(20, ATTR_FLOAT);
    } else if (v instanceof String s) {
      out.writeString(4, s);
      out.writeInt32(20, ATTR_STRING);
    } else if (v instanceof long[] ints) {
      for (long i : ints) {
        out.writeInt64(8, i);
      }
      out.writeInt32(20, ATTR_INTS);
    } else if (v instanceof float[] floats) {
      for (float f : floats) {
        out.writeFloat(7, f);
      }
      out.writeInt32(20, ATTR_FLOATS);
    } else if (v instanceof Tensor t) {
      out.writeByteArray(5, message(o -> writeTensor(t, o)));
      out.writeInt32(20, ATTR_TENSOR);
    } else {
      throw new IllegalArgumentException("attribute " + a.name() + ": unsupported value " + v);
    }
  }

  private static void writeValueInfo(ValueInfo v, CodedOutputStream out) throws IOException {
    out.writeString(1, v.name());
    byte[] shape =
        message(
            o -> {
              for (Dim d : v.dims()) {
                o.writeByteArray(
                    1,
                    message(
                        p -> {
                          if (d.param() != null) {
                            p.writeString(2, d.param());
                          } else {
                            p.writeInt64(1, d.value());
                          }
                        }));
              }
            });
    byte[] tensorType =
        message(
            o -> {
              o.writeInt32(1, v.elementType());
              o.writeByteArray(2, shape);
            });
    out.writeByteArray(2, message(o -> o.writeByteArray(1, tensorType)));
  }

  private static long dataBytes(Tensor t) {
    return t.floats() != null ? 4L * t.floats().length : 8L * t.ints().length;
  }

  private static long tensorSize(Tensor t) {
    long size = 0;
    for (long d : t.dims()) {
      size += CodedOutputStream.computeInt64Size(1, d);
    }
    size += CodedOutputStream.computeInt32Size(2, t.dataType());
    size += CodedOutputStream.computeStringSize(8, t.name());
    long data = dataBytes(t);
    return size + CodedOutputStream.computeTagSize(9) + varintSize(data) + data;
  }

  private static void writeTensor(Tensor t, CodedOutputStream out) throws IOException {
    for (long d : t.dims()) {
      out.writeInt64(1, d);
    }
    out.writeInt32(2, t.dataType());
    out.writeString(8, t.name());
    out.writeTag(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt64NoTag(dataBytes(t));
    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    int n = t.floats() != null ? t.floats().length : t.ints().length;
    for (int k = 0; k < n; k++) {
      if (chunk.remaining() < 8) {
        // (writeRawBytes(ByteBuffer) would write the whole backing array, not the filled part)
        out.writeRawBytes(chunk.array(), 0, chunk.position());
        chunk.clear();
      }
      if (t.floats() != null) {
        chunk.putFloat(t.floats()[k]);
      } else {
        chunk.putLong(t.ints()[k]);
      }
    }
    out.writeRawBytes(chunk.array(), 0, chunk.position());
  }
}
