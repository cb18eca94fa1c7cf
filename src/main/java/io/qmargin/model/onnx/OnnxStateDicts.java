package io.qmargin.model.onnx;

import io.qmargin.UserInputException;
import io.qmargin.model.Backbones;
import io.qmargin.model.imports.StateDict;
import io.qmargin.model.onnx.GraphLayers.Kind;
import io.qmargin.model.onnx.GraphLayers.Layer;
import io.qmargin.model.onnx.OnnxModel.Tensor;
import io.qmargin.model.onnx.SourceLayout.Slot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an exported ONNX graph of an insightface (IResNet-18/34/50/100, MobileFaceNet; the layout
 * of {@code torch2onnx.py} and of the {@code w600k_r50.onnx}/{@code glintr100.onnx} model packs) or
 * wespeaker (ResNet18/34, ECAPA-TDNN; {@code export_onnx.py}) model back into a {@link StateDict}
 * in the source project's PyTorch names.
 *
 * <p>Exports do not keep those names (PyTorch renames what it folds, e.g. {@code onnx::Conv_123}),
 * so the names are recovered from the graph's structure: its layers with weights, in forward order,
 * must be the architecture's layers ({@link SourceLayout}) one for one. A BatchNorm that the export
 * folded into the Conv before it (eval-mode export with constant folding) comes back as the folded
 * Conv weight plus a BatchNorm that only adds the folded bias: weight 1, bias b, running_mean 0,
 * running_var 1 − ε with PyTorch's ε = 1e-5, so that it computes (x − 0)/√(1 − ε + ε)·1 + b = x +
 * b. A BatchNorm the export kept comes back as it is. {@code num_batches_tracked} (a counter the
 * graph does not hold) is not produced.
 */
public final class OnnxStateDicts {
  private OnnxStateDicts() {}

  /** The epsilon of every BatchNorm in the supported architectures (PyTorch's default). */
  static final float SOURCE_BN_EPSILON = 1e-5f;

  /**
   * The state dict of an exported graph.
   *
   * @param onnxFile the ONNX file
   * @param archOrNull the architecture (qmargin's names: {@code iresnet50} or {@code r50}, {@code
   *     mobilefacenet}, {@code resnet34}, {@code ecapa512}, ...), or null to find it from the graph
   * @throws UserInputException naming the file when it is not readable ONNX, the architecture is
   *     unknown, or the graph is not (that) architecture, with the first layer that differs
   */
  public static StateDict read(Path onnxFile, String archOrNull) {
    List<String> candidates =
        archOrNull == null ? SourceLayout.ARCHITECTURES : List.of(architecture(archOrNull));
    OnnxModel model = OnnxFiles.read(onnxFile);
    List<Layer> layers;
    try {
      layers = GraphLayers.of(model.graph(), onnxFile);
    } catch (IndexOutOfBoundsException | ClassCastException e) {
      // a node without the inputs its operator requires, an attribute of another type
      throw new UserInputException(onnxFile + ": malformed ONNX graph (" + e.getMessage() + ")", e);
    }
    List<String> failures = new ArrayList<>();
    for (String arch : candidates) {
      Map<String, StateDict.Tensor> tensors = new LinkedHashMap<>();
      String failure = match(SourceLayout.of(arch), layers, tensors);
      if (failure == null && archOrNull != null) {
        failure = checkEcapaWidth(arch, tensors);
      }
      if (failure == null) {
        return new StateDict(onnxFile, tensors);
      }
      failures.add(failure);
    }
    if (archOrNull != null) {
      throw new UserInputException(
          onnxFile + ": not " + describe(candidates.get(0)) + ": " + failures.get(0));
    }
    throw new UserInputException(
        onnxFile
            + ": the graph is none of the architectures ONNX import knows ("
            + String.join(", ", SourceLayout.ARCHITECTURES)
            + "); it has "
            + census(layers)
            + "; name the architecture to see where it differs");
  }

  /** qmargin's canonical name of an architecture name or alias that ONNX import knows. */
  private static String architecture(String name) {
    String lower = name.trim().toLowerCase(Locale.ROOT);
    if (SourceLayout.ARCHITECTURES.contains(lower)) {
      return lower;
    }
    try {
      String face = Backbones.canonicalName(lower); // r50, mbf, ...
      if (SourceLayout.ARCHITECTURES.contains(face)) {
        return face;
      }
    } catch (UserInputException notAFaceBackbone) {
      // fall through to the message below
    }
    throw new UserInputException(
        "unknown architecture '"
            + name
            + "' for ONNX import; known: "
            + String.join(", ", SourceLayout.ARCHITECTURES)
            + " (aliases r18, r34, r50, r100, mbf)");
  }

  private static String describe(String arch) {
    return (arch.startsWith("iresnet") || arch.equals("mobilefacenet")
            ? "insightface's "
            : "wespeaker's ")
        + arch;
  }

  /** ecapa512 and ecapa1024 share their names; their width tells them apart. */
  private static String checkEcapaWidth(String arch, Map<String, StateDict.Tensor> tensors) {
    if (!arch.startsWith("ecapa")) {
      return null;
    }
    long width = tensors.get("layer1.conv.weight").shape()[0];
    long expected = arch.equals("ecapa512") ? 512 : 1024;
    return width == expected
        ? null
        : "its layer1.conv has " + width + " output channels, not " + expected;
  }

  private static String census(List<Layer> layers) {
    int[] counts = new int[Kind.values().length];
    for (Layer l : layers) {
      counts[l.kind().ordinal()]++;
    }
    return counts[Kind.CONV.ordinal()]
        + " Conv, "
        + counts[Kind.BATCH_NORM.ordinal()]
        + " BatchNormalization, "
        + counts[Kind.PRELU.ordinal()]
        + " PRelu and "
        + counts[Kind.LINEAR.ordinal()]
        + " linear layers with weights";
  }

  /**
   * Fills {@code out} from {@code layers} slot by slot; returns null when every slot and every
   * layer was used, else what differs first.
   */
  static String match(SourceLayout layout, List<Layer> layers, Map<String, StateDict.Tensor> out) {
    int j = 0;
    for (Slot slot : layout.slots()) {
      if (j >= layers.size()) {
        return "the graph's layers with weights end after "
            + layers.size()
            + ", where "
            + slot.describe()
            + " comes next";
      }
      Layer layer = layers.get(j);
      Kind wanted =
          switch (slot.kind()) {
            case CONV_BN, CONV -> Kind.CONV;
            case BATCH_NORM -> Kind.BATCH_NORM;
            case PRELU -> Kind.PRELU;
            case LINEAR -> Kind.LINEAR;
          };
      if (layer.kind() != wanted) {
        return "layer "
            + (j + 1)
            + " with weights, node "
            + layer.describe()
            + ", is where "
            + slot.describe()
            + " should be";
      }
      j++;
      switch (slot.kind()) {
        case CONV_BN -> {
          Layer next = j < layers.size() ? layers.get(j) : null;
          put(out, slot.name() + ".weight", layer.weight());
          if (next != null
              && next.kind() == Kind.BATCH_NORM
              && next.input().equals(layer.output())
              && layer.bias() == null) {
            batchNorm(out, slot.batchNorm(), next); // exported unfolded
            j++;
          } else {
            identityWithBias(out, slot.batchNorm(), layer);
          }
        }
        case CONV, LINEAR -> {
          put(out, slot.name() + ".weight", layer.weight());
          if (layer.bias() != null) {
            put(out, slot.name() + ".bias", GraphLayers.flat(layer.bias()));
          }
        }
        case BATCH_NORM -> batchNorm(out, slot.name(), layer);
        case PRELU -> put(out, slot.name() + ".weight", GraphLayers.flat(layer.weight()));
        default -> throw new IllegalStateException(slot.kind().toString());
      }
    }
    if (j < layers.size()) {
      return "the graph has "
          + (layers.size() - j)
          + " more layer(s) with weights after "
          + layout.architecture()
          + "'s last, from node "
          + layers.get(j).describe();
    }
    return null;
  }

  private static void batchNorm(Map<String, StateDict.Tensor> out, String name, Layer bn) {
    put(out, name + ".weight", bn.weight());
    put(out, name + ".bias", bn.bias());
    put(out, name + ".running_mean", bn.mean());
    put(out, name + ".running_var", bn.var());
  }

  /** The BatchNorm folded into {@code conv}: adds the conv's bias and nothing else. */
  private static void identityWithBias(Map<String, StateDict.Tensor> out, String name, Layer conv) {
    int channels = (int) conv.weight().dims()[0];
    float[] ones = new float[channels];
    Arrays.fill(ones, 1f);
    float[] variance = new float[channels];
    Arrays.fill(variance, 1f - SOURCE_BN_EPSILON);
    long[] shape = {channels};
    out.put(name + ".weight", new StateDict.Tensor(shape, ones));
    out.put(
        name + ".bias",
        new StateDict.Tensor(
            shape, conv.bias() == null ? new float[channels] : conv.bias().floats()));
    out.put(name + ".running_mean", new StateDict.Tensor(shape, new float[channels]));
    out.put(name + ".running_var", new StateDict.Tensor(shape, variance));
  }

  private static void put(Map<String, StateDict.Tensor> out, String name, Tensor t) {
    out.put(name, new StateDict.Tensor(t.dims().clone(), t.floats()));
  }
}
