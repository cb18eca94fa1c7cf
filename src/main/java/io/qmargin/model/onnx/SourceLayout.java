package io.qmargin.model.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers with weights of a source project's architecture, in its forward order, with their
 * PyTorch state-dict names: what an exported graph of it must hold, layer by layer ({@link
 * GraphLayers}). Written from insightface's {@code backbones/iresnet.py} and {@code
 * mobilefacenet.py} and wespeaker's {@code models/resnet.py} and {@code models/ecapa_tdnn.py}.
 *
 * @param architecture qmargin's name of the architecture
 * @param slots the layers in order
 */
record SourceLayout(String architecture, List<Slot> slots) {

  /** How a slot is filled from the graph. */
  enum SlotKind {
    /** A Conv whose BatchNormalization follows directly: folded into the Conv, or not. */
    CONV_BN,
    /** A Conv (with its bias, if any). */
    CONV,
    BATCH_NORM,
    PRELU,
    /** A linear layer (Gemm, or MatMul [+ Add]). */
    LINEAR
  }

  /**
   * One layer: its kind and state-dict name prefix ({@code layer1.0.conv1}); for {@link
   * SlotKind#CONV_BN} also the BatchNorm's prefix.
   */
  record Slot(SlotKind kind, String name, String batchNorm) {
    String describe() {
      return switch (kind) {
        case CONV_BN -> "Conv " + name + " with BatchNorm " + batchNorm;
        case CONV -> "Conv " + name;
        case BATCH_NORM -> "BatchNorm " + name;
        case PRELU -> "PReLU " + name;
        case LINEAR -> "linear layer " + name;
      };
    }
  }

  /** The architectures an ONNX graph can be read as, by qmargin's names. */
  static final List<String> ARCHITECTURES =
      List.of(
          "iresnet18",
          "iresnet34",
          "iresnet50",
          "iresnet100",
          "mobilefacenet",
          "resnet18",
          "resnet34",
          "ecapa512",
          "ecapa1024");

  /** The layout of an architecture of {@link #ARCHITECTURES}. */
  static SourceLayout of(String architecture) {
    Builder b = new Builder();
    switch (architecture) {
      case "iresnet18" -> iresnet(b, 2, 2, 2, 2);
      case "iresnet34" -> iresnet(b, 3, 4, 6, 3);
      case "iresnet50" -> iresnet(b, 3, 4, 14, 3);
      case "iresnet100" -> iresnet(b, 3, 13, 30, 3);
      case "mobilefacenet" -> mobileFaceNet(b);
      case "resnet18" -> wespeakerResNet(b, 2, 2, 2, 2);
      case "resnet34" -> wespeakerResNet(b, 3, 4, 6, 3);
      case "ecapa512", "ecapa1024" -> ecapa(b);
      default -> throw new IllegalArgumentException("no layout for " + architecture);
    }
    return new SourceLayout(architecture, List.copyOf(b.slots));
  }

  private static final class Builder {
    final List<Slot> slots = new ArrayList<>();

    void convBn(String conv, String bn) {
      slots.add(new Slot(SlotKind.CONV_BN, conv, bn));
    }

    void add(SlotKind kind, String name) {
      slots.add(new Slot(kind, name, null));
    }
  }

  /**
   * insightface IResNet: stem, IBasicBlocks (downsample in each stage's first), bn2, fc, features.
   */
  private static void iresnet(Builder b, int... blocks) {
    b.convBn("conv1", "bn1");
    b.add(SlotKind.PRELU, "prelu");
    for (int s = 0; s < blocks.length; s++) {
      for (int k = 0; k < blocks[s]; k++) {
        String p = "layer" + (s + 1) + "." + k + ".";
        b.add(SlotKind.BATCH_NORM, p + "bn1");
        b.convBn(p + "conv1", p + "bn2");
        b.add(SlotKind.PRELU, p + "prelu");
        b.convBn(p + "conv2", p + "bn3");
        if (k == 0) { // every stage starts with stride 2
          b.convBn(p + "downsample.0", p + "downsample.1");
        }
      }
    }
    b.add(SlotKind.BATCH_NORM, "bn2");
    b.add(SlotKind.LINEAR, "fc");
    b.add(SlotKind.BATCH_NORM, "features");
  }

  /** insightface's get_mbf: scale 2, blocks (1, 4, 6, 2), GDC output. */
  private static void mobileFaceNet(Builder b) {
    convBlock(b, "layers.0.layers");
    convBlock(b, "layers.1.layers");
    int[] residuals = {4, 6, 2};
    for (int i = 0; i < residuals.length; i++) {
      depthWise(b, "layers." + (2 + 2 * i) + ".layers");
      for (int k = 0; k < residuals[i]; k++) {
        depthWise(b, "layers." + (3 + 2 * i) + ".layers." + k + ".layers");
      }
    }
    convBlock(b, "conv_sep.layers");
    b.convBn("features.layers.0.layers.0", "features.layers.0.layers.1");
    b.add(SlotKind.LINEAR, "features.layers.2");
    b.add(SlotKind.BATCH_NORM, "features.layers.3");
  }

  private static void convBlock(Builder b, String p) {
    b.convBn(p + ".0", p + ".1");
    b.add(SlotKind.PRELU, p + ".2");
  }

  private static void depthWise(Builder b, String p) {
    convBlock(b, p + ".0.layers");
    convBlock(b, p + ".1.layers");
    b.convBn(p + ".2.layers.0", p + ".2.layers.1");
  }

  /** wespeaker ResNet (BasicBlock, 32 channels): shortcut where the stage's stride is 2. */
  private static void wespeakerResNet(Builder b, int... blocks) {
    b.convBn("conv1", "bn1");
    for (int s = 0; s < blocks.length; s++) {
      for (int k = 0; k < blocks[s]; k++) {
        String p = "layer" + (s + 1) + "." + k + ".";
        b.convBn(p + "conv1", p + "bn1");
        b.convBn(p + "conv2", p + "bn2");
        if (k == 0 && s > 0) {
          b.convBn(p + "shortcut.0", p + "shortcut.1");
        }
      }
    }
    b.add(SlotKind.LINEAR, "seg_1");
  }

  /** wespeaker ECAPA_TDNN_GLOB (ASTP): ReLU between every conv and its BN, so nothing folds. */
  private static void ecapa(Builder b) {
    b.add(SlotKind.CONV, "layer1.conv");
    b.add(SlotKind.BATCH_NORM, "layer1.bn");
    for (int l = 2; l <= 4; l++) {
      String p = "layer" + l + ".se_res2block.";
      b.add(SlotKind.CONV, p + "0.conv");
      b.add(SlotKind.BATCH_NORM, p + "0.bn");
      for (int i = 0; i < 7; i++) { // scale 8: seven convs
        b.add(SlotKind.CONV, p + "1.convs." + i);
        b.add(SlotKind.BATCH_NORM, p + "1.bns." + i);
      }
      b.add(SlotKind.CONV, p + "2.conv");
      b.add(SlotKind.BATCH_NORM, p + "2.bn");
      b.add(SlotKind.LINEAR, p + "3.linear1");
      b.add(SlotKind.LINEAR, p + "3.linear2");
    }
    b.add(SlotKind.CONV, "conv");
    b.add(SlotKind.CONV, "pool.linear1");
    b.add(SlotKind.CONV, "pool.linear2");
    b.add(SlotKind.BATCH_NORM, "bn");
    b.add(SlotKind.LINEAR, "linear");
  }
}
