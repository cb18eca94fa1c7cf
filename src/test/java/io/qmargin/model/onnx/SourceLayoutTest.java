package io.qmargin.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.model.imports.SourceLayouts;
import io.qmargin.model.imports.SourceModel;
import io.qmargin.model.onnx.SourceLayout.Slot;
import io.qmargin.model.onnx.SourceLayout.SlotKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The graph-order layouts ONNX import matches come from state-dict import's module lists: the same
 * tensors in the same order, with exactly the bias-free Conv + BatchNorm pairs that an export may
 * fold grouped into one slot.
 */
class SourceLayoutTest {

  @Test
  void everyLayoutCoversStateDictImportsNamesInItsOrder() {
    for (String arch : SourceLayout.ARCHITECTURES) {
      List<String> names = new ArrayList<>();
      for (Slot s : SourceLayout.of(arch).slots()) {
        switch (s.kind()) {
          case CONV_BN -> {
            names.add(s.name() + ".weight");
            batchNorm(names, s.batchNorm());
          }
          case BATCH_NORM -> batchNorm(names, s.name());
          case PRELU -> names.add(s.name() + ".weight");
          default -> { // CONV, LINEAR
            names.add(s.name() + ".weight");
            // wespeaker's unfolded convs and linears have biases; of insightface's, only fc
            if (!arch.startsWith("iresnet") && !arch.equals("mobilefacenet")
                || s.name().equals("fc")) {
              names.add(s.name() + ".bias");
            }
          }
        }
      }
      SourceModel model = new SourceModel("any", false, arch, 512, 80);
      assertThat(names).as(arch).isEqualTo(SourceLayouts.names(model));
    }
  }

  @Test
  void anIResNetStartsWithItsStemAndFirstBlockAsInsightfaceWritesThem() {
    List<Slot> slots = SourceLayout.of("iresnet18").slots();
    assertThat(slots.subList(0, 6))
        .containsExactly(
            new Slot(SlotKind.CONV_BN, "conv1", "bn1"),
            new Slot(SlotKind.PRELU, "prelu", null),
            new Slot(SlotKind.BATCH_NORM, "layer1.0.bn1", null),
            new Slot(SlotKind.CONV_BN, "layer1.0.conv1", "layer1.0.bn2"),
            new Slot(SlotKind.PRELU, "layer1.0.prelu", null),
            new Slot(SlotKind.CONV_BN, "layer1.0.conv2", "layer1.0.bn3"));
    assertThat(slots.subList(slots.size() - 3, slots.size()))
        .containsExactly(
            new Slot(SlotKind.BATCH_NORM, "bn2", null),
            new Slot(SlotKind.LINEAR, "fc", null),
            new Slot(SlotKind.BATCH_NORM, "features", null));
  }

  @Test
  void mobileFaceNetsLinearAndEcapasBiasedConvsAreNotFoldedSlots() {
    List<Slot> mbf = SourceLayout.of("mobilefacenet").slots();
    assertThat(mbf.subList(mbf.size() - 2, mbf.size()))
        .containsExactly(
            new Slot(SlotKind.LINEAR, "features.layers.2", null),
            new Slot(SlotKind.BATCH_NORM, "features.layers.3", null));
    List<Slot> ecapa = SourceLayout.of("ecapa512").slots();
    assertThat(ecapa).noneMatch(s -> s.kind() == SlotKind.CONV_BN);
    assertThat(ecapa.subList(4, 8))
        .containsExactly(
            new Slot(SlotKind.CONV, "layer2.se_res2block.1.convs.0", null),
            new Slot(SlotKind.BATCH_NORM, "layer2.se_res2block.1.bns.0", null),
            new Slot(SlotKind.CONV, "layer2.se_res2block.1.convs.1", null),
            new Slot(SlotKind.BATCH_NORM, "layer2.se_res2block.1.bns.1", null));
    assertThat(ecapa)
        .contains(
            new Slot(SlotKind.LINEAR, "layer2.se_res2block.3.linear1", null),
            new Slot(SlotKind.CONV, "pool.linear1", null));
  }

  private static void batchNorm(List<String> names, String p) {
    for (String t : List.of("weight", "bias", "running_mean", "running_var")) {
      names.add(p + "." + t);
    }
  }
}
