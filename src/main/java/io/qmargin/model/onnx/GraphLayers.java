package io.qmargin.model.onnx;

import io.qmargin.UserInputException;
import io.qmargin.model.onnx.OnnxModel.Graph;
import io.qmargin.model.onnx.OnnxModel.Node;
import io.qmargin.model.onnx.OnnxModel.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layers with weights of an ONNX graph, in the graph's (topological, for PyTorch's exports
 * forward) order: Conv, BatchNormalization, PRelu, and linear layers (Gemm, or MatMul with a
 * constant matrix and an optional Add of a constant bias), with their constant tensors. Every other
 * node (activations, additions, reshapes, pooling arithmetic) is left out: the weights, their order
 * and their shapes are what identifies a source project's layer.
 */
final class GraphLayers {
  private GraphLayers() {}

  /** What a layer computes. */
  enum Kind {
    CONV,
    BATCH_NORM,
    PRELU,
    LINEAR
  }

  /**
   * One layer. {@code weight} is PyTorch's: (out, in, k…) for Conv, (out, in) for a linear layer, γ
   * for BatchNormalization (with {@code bias} β, {@code mean}, {@code var}, {@code epsilon}), the
   * slopes for PRelu; absent tensors are null.
   */
  record Layer(
      Kind kind,
      Node node,
      String input,
      String output,
      Tensor weight,
      Tensor bias,
      Tensor mean,
      Tensor var,
      float epsilon) {

    Layer withBias(Tensor b, String newOutput) {
      return new Layer(kind, node, input, newOutput, weight, b, mean, var, epsilon);
    }

    /** The node, for messages: {@code 'name' (Op)}. */
    String describe() {
      return "'" + node.name() + "' (" + node.opType() + ")";
    }
  }

  /** The graph's layers with weights; {@code source} names the file in messages. */
  static List<Layer> of(Graph graph, Path source) {
    Map<String, Tensor> constants = new HashMap<>();
    for (Tensor t : graph.initializers()) {
      constants.put(t.name(), t);
    }
    List<Layer> layers = new ArrayList<>();
    Map<String, Integer> linearByOutput = new HashMap<>(); // MatMuls still waiting for a bias
    for (Node n : graph.nodes()) {
      switch (n.opType()) {
        case "Constant" -> {
          Object value =
              n.attributes().containsKey("value") ? n.attributes().get("value").value() : null;
          if (value instanceof Tensor t) {
            constants.put(n.outputs().get(0), t);
          }
        }
        case "Identity" -> {
          Tensor t = constants.get(n.inputs().get(0));
          if (t != null) {
            constants.put(n.outputs().get(0), t);
          }
        }
        case "Conv" ->
            layers.add(
                new Layer(
                    Kind.CONV,
                    n,
                    n.inputs().get(0),
                    n.outputs().get(0),
                    constant(n, 1, constants, source),
                    optional(n, 2, constants, source),
                    null,
                    null,
                    0));
        case "BatchNormalization" ->
            layers.add(
                new Layer(
                    Kind.BATCH_NORM,
                    n,
                    n.inputs().get(0),
                    n.outputs().get(0),
                    constant(n, 1, constants, source),
                    constant(n, 2, constants, source),
                    constant(n, 3, constants, source),
                    constant(n, 4, constants, source),
                    n.floatAttribute("epsilon", 1e-5f)));
        case "PRelu" ->
            layers.add(
                new Layer(
                    Kind.PRELU,
                    n,
                    n.inputs().get(0),
                    n.outputs().get(0),
                    constant(n, 1, constants, source),
                    null,
                    null,
                    null,
                    0));
        case "Gemm" -> layers.add(gemm(n, constants, source));
        case "MatMul" -> {
          Tensor b = constants.get(n.inputs().get(1));
          if (b != null && b.dims().length == 2) {
            linearByOutput.put(n.outputs().get(0), layers.size());
            layers.add(
                new Layer(
                    Kind.LINEAR,
                    n,
                    n.inputs().get(0),
                    n.outputs().get(0),
                    transpose(b),
                    null,
                    null,
                    null,
                    0));
          }
        }
        case "Add" -> {
          // the bias of a MatMul: x·Wᵀ + b
          for (int i = 0; i < 2 && n.inputs().size() == 2; i++) {
            Integer at = linearByOutput.remove(n.inputs().get(i));
            Tensor b = constants.get(n.inputs().get(1 - i));
            if (at != null && b != null) {
              layers.set(at, layers.get(at).withBias(flat(b), n.outputs().get(0)));
              break;
            }
          }
        }
        default -> {
          // no weights
        }
      }
    }
    return layers;
  }

  private static Layer gemm(Node n, Map<String, Tensor> constants, Path source) {
    if (n.intAttribute("transA", 0) != 0
        || n.floatAttribute("alpha", 1f) != 1f
        || n.floatAttribute("beta", 1f) != 1f) {
      throw new UserInputException(
          source
              + ": node '"
              + n.name()
              + "' (Gemm) transposes its input or scales (alpha, beta): not a linear layer");
    }
    Tensor b = constant(n, 1, constants, source);
    Tensor weight = n.intAttribute("transB", 0) == 1 ? b : transpose(b);
    return new Layer(
        Kind.LINEAR,
        n,
        n.inputs().get(0),
        n.outputs().get(0),
        weight,
        optional(n, 2, constants, source),
        null,
        null,
        0);
  }

  private static Tensor constant(Node n, int input, Map<String, Tensor> constants, Path source) {
    Tensor t = optional(n, input, constants, source);
    if (t == null) {
      throw new UserInputException(
          source
              + ": node '"
              + n.name()
              + "' ("
              + n.opType()
              + "): input "
              + input
              + " is not a constant tensor; only graphs with constant weights can be imported");
    }
    return t;
  }

  private static Tensor optional(Node n, int input, Map<String, Tensor> constants, Path source) {
    if (n.inputs().size() <= input || n.inputs().get(input).isEmpty()) {
      return null;
    }
    Tensor t = constants.get(n.inputs().get(input));
    if (t != null && t.floats() == null) {
      throw new UserInputException(
          source + ": node '" + n.name() + "' (" + n.opType() + "): weight is not float");
    }
    return t;
  }

  /** The transpose of a matrix. */
  static Tensor transpose(Tensor m) {
    int rows = (int) m.dims()[0];
    int cols = (int) m.dims()[1];
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = m.floats()[r * cols + c];
      }
    }
    return Tensor.of(m.name(), new long[] {cols, rows}, out);
  }

  /** The same values as a vector (PReLU slopes stored as (C, 1, 1), biases as (1, C)). */
  static Tensor flat(Tensor t) {
    return Tensor.of(t.name(), new long[] {t.floats().length}, t.floats());
  }
}
