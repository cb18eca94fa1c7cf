package io.qmargin.model.onnx;

import io.qmargin.model.imports.SourceLayouts;
import io.qmargin.model.imports.SourceLayouts.Module;
import io.qmargin.model.imports.SourceLayouts.ModuleKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers with weights of a source project's architecture, in its forward order, with their
 * PyTorch state-dict names: what an exported graph of it must hold, layer by layer ({@link
 * GraphLayers}), derived from the modules state-dict import knows ({@link SourceLayouts}).
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
  static final List<String> ARCHITECTURES = SourceLayouts.BACKBONES;

  /**
   * The layout of an architecture of {@link #ARCHITECTURES}: its modules as state-dict import names
   * them ({@link SourceLayouts#modules}), whose order is the graph's forward order too. A bias-free
   * Conv directly followed by a BatchNorm is one {@link SlotKind#CONV_BN} slot (an export may fold
   * the pair); ECAPA's convs have a bias and a ReLU before their BatchNorm, so they stay apart.
   */
  static SourceLayout of(String architecture) {
    List<Module> modules = SourceLayouts.modules(architecture);
    List<Slot> slots = new ArrayList<>();
    int i = 0;
    while (i < modules.size()) {
      Module m = modules.get(i);
      Module next = i + 1 < modules.size() ? modules.get(i + 1) : null;
      if (m.kind() == ModuleKind.CONV && next != null && next.kind() == ModuleKind.BATCH_NORM) {
        slots.add(new Slot(SlotKind.CONV_BN, m.name(), next.name()));
        i += 2;
        continue;
      }
      SlotKind kind =
          switch (m.kind()) {
            case CONV, CONV_WITH_BIAS -> SlotKind.CONV;
            case LINEAR, LINEAR_WITH_BIAS -> SlotKind.LINEAR;
            case BATCH_NORM -> SlotKind.BATCH_NORM;
            case PRELU -> SlotKind.PRELU;
          };
      slots.add(new Slot(kind, m.name(), null));
      i++;
    }
    return new SourceLayout(architecture, List.copyOf(slots));
  }
}
