package io.qmargin.model.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The part of ONNX's {@code ModelProto} that qmargin reads and writes: one graph of nodes,
 * initializers (float32 and int64 tensors), typed inputs and outputs with fixed or named (dynamic)
 * dimensions, the opsets and the model's metadata. Field meanings are ONNX's ({@code onnx.proto});
 * {@link OnnxFiles} encodes and decodes them.
 *
 * @param irVersion the ONNX IR version
 * @param producerName who wrote the file
 * @param producerVersion its version
 * @param opsets operator set per domain ("" is the default ONNX domain)
 * @param graph the computation
 * @param metadata {@code metadata_props}, in order
 */
public record OnnxModel(
    long irVersion,
    String producerName,
    String producerVersion,
    Map<String, Long> opsets,
    Graph graph,
    Map<String, String> metadata) {

  /** The opset of the default domain, or 0 when the model does not name it. */
  public long defaultOpset() {
    return opsets.getOrDefault("", opsets.getOrDefault("ai.onnx", 0L));
  }

  /** A graph: nodes in topological order, constant tensors, graph inputs and outputs. */
  public record Graph(
      String name,
      List<Node> nodes,
      List<Tensor> initializers,
      List<ValueInfo> inputs,
      List<ValueInfo> outputs) {}

  /** One operator application; an empty input name is an omitted optional input. */
  public record Node(
      String name,
      String opType,
      List<String> inputs,
      List<String> outputs,
      Map<String, Attribute> attributes) {

    /** The integer attribute {@code key}, or {@code fallback} when absent. */
    public long intAttribute(String key, long fallback) {
      Attribute a = attributes.get(key);
      return a == null ? fallback : (Long) a.value();
    }

    /** The float attribute {@code key}, or {@code fallback} when absent. */
    public float floatAttribute(String key, float fallback) {
      Attribute a = attributes.get(key);
      return a == null ? fallback : (Float) a.value();
    }

    /** The integer list attribute {@code key}, or {@code null} when absent. */
    public long[] intsAttribute(String key) {
      Attribute a = attributes.get(key);
      return a == null ? null : (long[]) a.value();
    }
  }

  /**
   * A node attribute. The value is a {@code Long} (INT), {@code Float} (FLOAT), {@code String}
   * (STRING), {@code long[]} (INTS), {@code float[]} (FLOATS) or {@link Tensor} (TENSOR).
   */
  public record Attribute(String name, Object value) {}

  /**
   * A tensor: float32 values in {@code floats} or int64 values in {@code ints} (the other is null),
   * row-major.
   */
  public record Tensor(String name, long[] dims, float[] floats, long[] ints) {

    public Tensor {
      if ((floats == null) == (ints == null)) {
        throw new IllegalArgumentException("a tensor holds floats or ints: " + name);
      }
      long size = 1;
      for (long d : dims) {
        size *= d;
      }
      long n = floats != null ? floats.length : ints.length;
      if (size != n) {
        throw new IllegalArgumentException(
            name + ": shape " + Arrays.toString(dims) + " holds " + size + " values, not " + n);
      }
    }

    /** A float32 tensor. */
    public static Tensor of(String name, long[] dims, float[] values) {
      return new Tensor(name, dims, values, null);
    }

    /** A one-dimensional int64 tensor. */
    public static Tensor ofInts(String name, long... values) {
      return new Tensor(name, new long[] {values.length}, null, values);
    }

    /** ONNX's element type: 1 (FLOAT) or 7 (INT64). */
    public int dataType() {
      return floats != null ? OnnxFiles.FLOAT : OnnxFiles.INT64;
    }

    @Override
    public String toString() {
      return name + Arrays.toString(dims);
    }
  }

  /** A graph input or output: a tensor type whose dimensions are {@link Dim}s. */
  public record ValueInfo(String name, int elementType, List<Dim> dims) {}

  /** A dimension: a fixed size, or a named one ({@code dim_param}) that varies at run time. */
  public record Dim(long value, String param) {

    public static Dim of(long value) {
      return new Dim(value, null);
    }

    public static Dim named(String param) {
      return new Dim(-1, param);
    }

    @Override
    public String toString() {
      return param != null ? param : Long.toString(value);
    }
  }
}
