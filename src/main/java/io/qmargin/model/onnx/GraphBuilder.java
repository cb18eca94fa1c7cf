package io.qmargin.model.onnx;

import io.qmargin.model.onnx.OnnxModel.Attribute;
import io.qmargin.model.onnx.OnnxModel.Node;
import io.qmargin.model.onnx.OnnxModel.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects the nodes and initializers of an ONNX graph as it is emitted in order: every node gets a
 * fresh output name ({@code op_n}), every initializer a unique name (its suggested name, with a
 * suffix if taken).
 */
final class GraphBuilder {
  private final List<Node> nodes = new ArrayList<>();
  private final List<Tensor> initializers = new ArrayList<>();
  private final Map<String, Integer> taken = new LinkedHashMap<>();
  private int counter;

  /** Adds a node with one output and returns the output's name. */
  String node(String op, List<String> inputs, Map<String, Object> attributes) {
    String out = op.toLowerCase(Locale.ROOT) + "_" + counter++;
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    attributes.forEach((k, v) -> attrs.put(k, new Attribute(k, v)));
    nodes.add(new Node(out, op, List.copyOf(inputs), List.of(out), attrs));
    return out;
  }

  /** Adds a node with {@code count} outputs and returns their names. */
  List<String> nodeOutputs(
      String op, List<String> inputs, Map<String, Object> attributes, int count) {
    String base = op.toLowerCase(Locale.ROOT) + "_" + counter++;
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      outs.add(base + "_" + i);
    }
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    attributes.forEach((k, v) -> attrs.put(k, new Attribute(k, v)));
    nodes.add(new Node(base, op, List.copyOf(inputs), List.copyOf(outs), attrs));
    return outs;
  }

  /** Copies {@code value} to a value named {@code name} (the graph's output). */
  void identity(String value, String name) {
    nodes.add(new Node(name, "Identity", List.of(value), List.of(name), Map.of()));
  }

  /** {@link #node(String, List, Map)} without attributes. */
  String node(String op, String... inputs) {
    return node(op, List.of(inputs), Map.of());
  }

  /** Adds a float32 initializer and returns its (unique) name. */
  String floats(String name, long[] dims, float[] values) {
    String unique = unique(name);
    initializers.add(Tensor.of(unique, dims, values));
    return unique;
  }

  /** Adds a one-dimensional int64 initializer and returns its name. */
  String ints(String name, long... values) {
    String unique = unique(name);
    initializers.add(Tensor.ofInts(unique, values));
    return unique;
  }

  /** A float scalar initializer (shape []). */
  String scalar(String name, float value) {
    String unique = unique(name);
    initializers.add(Tensor.of(unique, new long[0], new float[] {value}));
    return unique;
  }

  private String unique(String name) {
    int n = taken.merge(name, 1, Integer::sum);
    return n == 1 ? name : name + "_" + n;
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  List<Tensor> initializers() {
    return List.copyOf(initializers);
  }
}
