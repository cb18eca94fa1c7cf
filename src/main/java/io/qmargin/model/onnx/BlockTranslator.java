package io.qmargin.model.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import io.qmargin.UserInputException;
import io.qmargin.model.ChannelPaddedConvolution;
import io.qmargin.model.ChannelPrelu;
import io.qmargin.model.speaker.AttentiveStatisticsPooling;
import io.qmargin.model.speaker.EcapaTdnn;
import io.qmargin.model.speaker.FrameInput;
import io.qmargin.model.speaker.Res2Conv1d;
import io.qmargin.model.speaker.StatisticsPooling;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Translates an initialised qmargin backbone, block by block, into ONNX opset 11 nodes in inference
 * mode (BatchNorm with its running statistics, dropout left out). Each block kind maps to the
 * standard operators that compute the same function; the shape of every intermediate value is
 * tracked with the blocks' own {@code getOutputShapes}, for the few operators that depend on the
 * rank. A block of another kind is refused by name.
 *
 * <p>DJL's {@link ParallelBlock} joins its branches with a Java function that cannot be inspected;
 * qmargin builds exactly two kinds, told apart by their branches: the residual connection {@code
 * main(x) + shortcut(x)} (any first branch but the identity) and the squeeze-excitation of
 * ECAPA-TDNN {@code x · gate(x)} (the identity first, then a gate that starts with the mean over
 * time, the only unnamed lambda qmargin's backbones hold).
 */
final class BlockTranslator {
  private final GraphBuilder graph;

  BlockTranslator(GraphBuilder graph) {
    this.graph = graph;
  }

  /** A value in the graph and its shape (the batch and frame sizes are examples). */
  record Value(String name, Shape shape) {}

  /** Emits the nodes of {@code block} applied to {@code x}; {@code path} names its parameters. */
  Value emit(Block block, Value x, String path) {
    if (block instanceof SequentialBlock) {
      return chain(children(block), x, path);
    }
    if (block instanceof ParallelBlock p) {
      return parallel(p, x, path);
    }
    if (block instanceof LambdaBlock l) {
      return lambda(l, x, path);
    }
    if (block instanceof ChannelPaddedConvolution) {
      // the padding channels are zeros with zero weights: the wrapped convolution's own result
      return emit(block.getChildren().values().get(0), x, path);
    }
    if (block instanceof Convolution c) {
      return convolution(c, x, path);
    }
    if (block instanceof BatchNorm bn) {
      return batchNorm(bn, x, path);
    }
    if (block instanceof Linear linear) {
      return linear(linear, x, path);
    }
    if (block instanceof Dropout) {
      return x; // inference
    }
    if (block instanceof ChannelPrelu prelu) {
      return prelu(prelu, x, path);
    }
    if (block instanceof FrameInput) {
      return frameInput(block, x);
    }
    if (block instanceof StatisticsPooling) {
      return statisticsPooling(x);
    }
    if (block instanceof AttentiveStatisticsPooling) {
      return attentivePooling(block, x, path);
    }
    if (block instanceof Res2Conv1d) {
      return res2(block, x, path);
    }
    if (block instanceof EcapaTdnn) {
      return ecapa(block, x, path);
    }
    throw unsupported(block, path);
  }

  /** The children of a block, in order, with their names. */
  private static List<Map.Entry<String, Block>> children(Block block) {
    List<Map.Entry<String, Block>> out = new ArrayList<>();
    block.getChildren().forEach(pair -> out.add(Map.entry(pair.getKey(), pair.getValue())));
    return out;
  }

  private static UserInputException unsupported(Block block, String path) {
    return new UserInputException(
        "cannot export block "
            + path
            + " ("
            + block.getClass().getSimpleName()
            + ": "
            + block
            + "): no ONNX translation for this kind of block");
  }

  private Value chain(List<Map.Entry<String, Block>> children, Value x, String path) {
    Value v = x;
    for (Map.Entry<String, Block> child : children) {
      v = emit(child.getValue(), v, path + "/" + child.getKey());
    }
    return v;
  }

  private Value parallel(ParallelBlock p, Value x, String path) {
    List<Map.Entry<String, Block>> branches = children(p);
    if (branches.size() != 2) {
      throw unsupported(p, path);
    }
    Block first = branches.get(0).getValue();
    Block second = branches.get(1).getValue();
    if (isIdentity(first)) {
      List<Map.Entry<String, Block>> gate =
          second instanceof SequentialBlock ? children(second) : List.of();
      if (gate.isEmpty()
          || !(gate.get(0).getValue() instanceof LambdaBlock l)
          || !LambdaBlock.DEFAULT_NAME.equals(l.getName())) {
        throw unsupported(p, path);
      }
      // squeeze-excitation: x · gate(mean_t x), the gate's first block being that mean
      Value mean = reduce("ReduceMean", x, 2, false);
      Value g = chain(gate.subList(1, gate.size()), mean, path + "/" + branches.get(1).getKey());
      String unsqueezed =
          graph.node("Unsqueeze", List.of(g.name()), Map.of("axes", new long[] {2}));
      return new Value(graph.node("Mul", x.name(), unsqueezed), x.shape());
    }
    Value main = emit(first, x, path + "/" + branches.get(0).getKey());
    Value shortcut = emit(second, x, path + "/" + branches.get(1).getKey());
    return new Value(graph.node("Add", main.name(), shortcut.name()), main.shape());
  }

  private static boolean isIdentity(Block b) {
    return b instanceof LambdaBlock l && "identity".equals(l.getName());
  }

  private Value lambda(LambdaBlock l, Value x, String path) {
    return switch (l.getName()) {
      case "identity" -> x;
      case "ReLU" -> new Value(graph.node("Relu", x.name()), x.shape());
      case "sigmoid" -> new Value(graph.node("Sigmoid", x.name()), x.shape());
      case "Tanh" -> new Value(graph.node("Tanh", x.name()), x.shape());
      case "batchFlatten" ->
          new Value(
              graph.node("Flatten", List.of(x.name()), Map.of("axis", 1L)),
              new Shape(x.shape().get(0), x.shape().size() / x.shape().get(0)));
      default -> throw unsupported(l, path);
    };
  }

  private String parameter(Block block, String key, String path) {
    NDArray a = block.getParameters().get(key).getArray();
    return graph.floats(path + "/" + key, a.getShape().getShape(), a.toFloatArray());
  }

  private Value convolution(Convolution c, Value x, String path) {
    List<String> inputs = new ArrayList<>(List.of(x.name(), parameter(c, "weight", path)));
    if (c.isIncludeBias()) {
      inputs.add(parameter(c, "bias", path));
    }
    long[] pads = c.getPadding().getShape();
    long[] both = new long[2 * pads.length]; // begin of every axis, then end of every axis
    System.arraycopy(pads, 0, both, 0, pads.length);
    System.arraycopy(pads, 0, both, pads.length, pads.length);
    String y =
        graph.node(
            "Conv",
            inputs,
            Map.of(
                "kernel_shape", c.getKernelShape().getShape(),
                "strides", c.getStride().getShape(),
                "pads", both,
                "dilations", c.getDilation().getShape(),
                "group", (long) c.getGroups()));
    return new Value(y, c.getOutputShapes(new Shape[] {x.shape()})[0]);
  }

  private Value batchNorm(BatchNorm bn, Value x, String path) {
    if ((int) field(bn, "axis") != 1) {
      throw unsupported(bn, path);
    }
    String y =
        graph.node(
            "BatchNormalization",
            List.of(
                x.name(),
                parameter(bn, "gamma", path),
                parameter(bn, "beta", path),
                parameter(bn, "runningMean", path),
                parameter(bn, "runningVar", path)),
            Map.of("epsilon", (float) field(bn, "epsilon")));
    return new Value(y, x.shape());
  }

  /**
   * A private setting of DJL's BatchNorm (its axis and epsilon have no getters); read so that a
   * block built with other settings is exported as it computes.
   */
  private static Object field(BatchNorm bn, String name) {
    try {
      Field f = BatchNorm.class.getDeclaredField(name);
      f.setAccessible(true);
      return f.get(bn);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("DJL's BatchNorm has no field " + name, e);
    }
  }

  private Value linear(Linear linear, Value x, String path) {
    if (x.shape().dimension() != 2) {
      throw unsupported(linear, path);
    }
    List<String> inputs = new ArrayList<>(List.of(x.name(), parameter(linear, "weight", path)));
    Parameter bias = linear.getParameters().get("bias");
    if (bias != null) {
      inputs.add(parameter(linear, "bias", path));
    }
    // DJL's weight is (out, in), as PyTorch's: y = x·Wᵀ + b
    String y = graph.node("Gemm", inputs, Map.of("transB", 1L));
    return new Value(y, linear.getOutputShapes(new Shape[] {x.shape()})[0]);
  }

  private Value prelu(ChannelPrelu prelu, Value x, String path) {
    NDArray a = prelu.getParameters().get("alpha").getArray();
    // ONNX's PRelu broadcasts the slope from the right: (C, 1, ..., 1) for a (B, C, ...) input
    long[] dims = new long[x.shape().dimension() - 1];
    Arrays.fill(dims, 1);
    dims[0] = prelu.channels();
    String slope = graph.floats(path + "/alpha", dims, a.toFloatArray());
    return new Value(graph.node("PRelu", x.name(), slope), x.shape());
  }

  private Value frameInput(Block block, Value x) {
    Shape out = block.getOutputShapes(new Shape[] {x.shape()})[0];
    String t = graph.node("Transpose", List.of(x.name()), Map.of("perm", new long[] {0, 2, 1}));
    if (out.dimension() == 4) { // FrameInput.Layout.IMAGE: a one-channel image
      t = graph.node("Unsqueeze", List.of(t), Map.of("axes", new long[] {1}));
    }
    return new Value(t, out);
  }

  /** ReduceMean or ReduceSum over one axis. */
  private Value reduce(String op, Value x, int axis, boolean keep) {
    long[] dims = x.shape().getShape().clone();
    dims[axis] = 1;
    Shape shape = new Shape(dims);
    if (!keep) {
      long[] kept = new long[dims.length - 1];
      for (int i = 0, j = 0; i < dims.length; i++) {
        if (i != axis) {
          kept[j++] = dims[i];
        }
      }
      shape = new Shape(kept);
    }
    String y =
        graph.node(
            op, List.of(x.name()), Map.of("axes", new long[] {axis}, "keepdims", keep ? 1L : 0L));
    return new Value(y, shape);
  }

  /**
   * √(Σ_t (x − mean)² / (T − 1) + ε) along {@code axis} as {@link StatisticsPooling}, T read from
   * the input's shape at run time (the frames are a dynamic dimension).
   */
  private Value unbiasedStd(Value x, Value mean, int axis, boolean keep, float epsilon) {
    String d = graph.node("Sub", x.name(), mean.name());
    Value squares = new Value(graph.node("Mul", d, d), x.shape());
    Value sum = reduce("ReduceSum", squares, axis, keep);
    String shape = graph.node("Shape", x.name());
    String frames =
        graph.node(
            "Gather",
            List.of(shape, graph.ints("axis_" + axis, axis)),
            Map.of("axis", 0L)); // a one-element vector: broadcasts as a scalar
    String count = graph.node("Cast", List.of(frames), Map.of("to", (long) OnnxFiles.FLOAT));
    String dof = graph.node("Sub", count, graph.scalar("one", 1f));
    String var = graph.node("Div", sum.name(), dof);
    String std = graph.node("Sqrt", graph.node("Add", var, graph.scalar("epsilon", epsilon)));
    return new Value(std, sum.shape());
  }

  private Value statisticsPooling(Value x) {
    int time = x.shape().dimension() - 1;
    Value mean = reduce("ReduceMean", x, time, true);
    Value std = unbiasedStd(x, mean, time, false, StatisticsPooling.VARIANCE_EPSILON);
    // (B, -1) of each, as torch.flatten: all means, then all standard deviations
    String m = graph.node("Flatten", List.of(mean.name()), Map.of("axis", 1L));
    String s = graph.node("Flatten", List.of(std.name()), Map.of("axis", 1L));
    String y = graph.node("Concat", List.of(m, s), Map.of("axis", 1L));
    long features = x.shape().slice(1, time).size();
    return new Value(y, new Shape(x.shape().get(0), 2 * features));
  }

  private Value attentivePooling(Block block, Value x, String path) {
    List<Map.Entry<String, Block>> children = children(block);
    Block attention = children.get(0).getValue();
    Block logits = children.get(1).getValue();
    long channels = x.shape().get(1);
    Value h = x;
    if (attentionInputs(attention) == 3 * channels) { // global context: x, its mean and std
      Value mean = reduce("ReduceMean", x, 2, true);
      Value std = unbiasedStd(x, mean, 2, true, AttentiveStatisticsPooling.VARIANCE_EPSILON);
      String shape = graph.node("Shape", x.name());
      String cat =
          graph.node(
              "Concat",
              List.of(
                  x.name(),
                  graph.node("Expand", mean.name(), shape),
                  graph.node("Expand", std.name(), shape)),
              Map.of("axis", 1L));
      h = new Value(cat, new Shape(x.shape().get(0), 3 * channels, x.shape().get(2)));
    }
    Value hidden = emit(attention, h, path + "/" + children.get(0).getKey());
    hidden = new Value(graph.node("Tanh", hidden.name()), hidden.shape());
    Value e = emit(logits, hidden, path + "/" + children.get(1).getKey());
    // opset 11's Softmax flattens to (B·C, T) for axis 2 of (B, C, T): a softmax over time
    String alpha = graph.node("Softmax", List.of(e.name()), Map.of("axis", 2L));
    Value ax = new Value(graph.node("Mul", alpha, x.name()), x.shape());
    Value mu = reduce("ReduceSum", ax, 2, false);
    Value ax2 =
        new Value(graph.node("Mul", alpha, graph.node("Mul", x.name(), x.name())), x.shape());
    Value second = reduce("ReduceSum", ax2, 2, false);
    String var = graph.node("Sub", second.name(), graph.node("Mul", mu.name(), mu.name()));
    String floor = graph.scalar("variance_floor", AttentiveStatisticsPooling.VARIANCE_EPSILON);
    String sigma = graph.node("Sqrt", graph.node("Max", var, floor));
    String y = graph.node("Concat", List.of(mu.name(), sigma), Map.of("axis", 1L));
    return new Value(y, new Shape(x.shape().get(0), 2 * channels));
  }

  /** Input channels of a (possibly channel-padded) 1-D convolution. */
  private static long attentionInputs(Block conv) {
    Block c = conv instanceof ChannelPaddedConvolution ? conv.getChildren().values().get(0) : conv;
    return c.getParameters().get("weight").getArray().getShape().get(1);
  }

  private Value res2(Block block, Value x, String path) {
    List<Map.Entry<String, Block>> layers = children(block);
    int scale = layers.size() + 1;
    long width = x.shape().get(1) / scale;
    long[] sizes = new long[scale];
    Arrays.fill(sizes, width);
    List<String> groups =
        graph.nodeOutputs("Split", List.of(x.name()), Map.of("axis", 1L, "split", sizes), scale);
    Shape groupShape = new Shape(x.shape().get(0), width, x.shape().get(2));
    List<String> out = new ArrayList<>();
    Value sp = null;
    for (int i = 0; i < layers.size(); i++) {
      Value in =
          i == 0
              ? new Value(groups.get(0), groupShape)
              : new Value(graph.node("Add", sp.name(), groups.get(i)), groupShape);
      sp = emit(layers.get(i).getValue(), in, path + "/" + layers.get(i).getKey());
      out.add(sp.name());
    }
    out.add(groups.get(scale - 1));
    return new Value(graph.node("Concat", out, Map.of("axis", 1L)), x.shape());
  }

  /** ECAPA-TDNN's forward: its children in order, the three blocks' outputs concatenated. */
  private Value ecapa(Block block, Value x, String path) {
    List<Map.Entry<String, Block>> c = children(block);
    Value v = emit(c.get(0).getValue(), x, path + "/" + c.get(0).getKey()); // input
    v = emit(c.get(1).getValue(), v, path + "/" + c.get(1).getKey()); // layer1
    List<String> levels = new ArrayList<>();
    for (int i = 2; i <= 4; i++) {
      v = emit(c.get(i).getValue(), v, path + "/" + c.get(i).getKey());
      levels.add(v.name());
    }
    Value cat =
        new Value(
            graph.node("Concat", levels, Map.of("axis", 1L)),
            new Shape(v.shape().get(0), 3 * v.shape().get(1), v.shape().get(2)));
    for (int i = 5; i < c.size(); i++) { // aggregation, pooling, head
      cat = emit(c.get(i).getValue(), cat, path + "/" + c.get(i).getKey());
    }
    return cat;
  }
}
