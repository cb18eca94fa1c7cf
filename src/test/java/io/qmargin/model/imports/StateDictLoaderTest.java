package io.qmargin.model.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import io.qmargin.UserInputException;
import io.qmargin.model.speaker.SpeakerBackbones;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The name mapping on state dicts built here in wespeaker's names (a ResNet18 at 16 mel bins, so
 * that it is small): values land in the parameter of their name; misfits, missing and unused
 * tensors are all named in one message and nothing is written; counters and the classification head
 * are not errors; the architecture is told from the names.
 */
class StateDictLoaderTest {
  private static final Path FILE = Path.of("avg_model.pt");
  private static final SourceModel MODEL = new SourceModel("wespeaker", true, "resnet18", 8, 16);

  /** A state dict with every name the layout lists, of the block's shapes, values i + 0.5k. */
  private static Map<String, StateDict.Tensor> complete(Block block) {
    List<String> names = SourceLayouts.names(MODEL);
    PairList<String, Parameter> params = block.getParameters();
    Map<String, StateDict.Tensor> t = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      long[] shape = params.get(i).getValue().getShape().getShape();
      float[] v = new float[(int) params.get(i).getValue().getShape().size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = i + 0.5f * (k % 3);
      }
      t.put(names.get(i), new StateDict.Tensor(shape, v));
    }
    return t;
  }

  private static Block block(NDManager manager) {
    Block b = MODEL.create();
    b.initialize(manager, DataType.FLOAT32, SpeakerBackbones.inputShape(2, 20, 16));
    return b;
  }

  @Test
  void everyTensorLandsInTheParameterOfItsName() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block b = block(manager);
      Map<String, StateDict.Tensor> t = complete(b);
      t.put("bn1.num_batches_tracked", new StateDict.Tensor(new long[0], new float[] {3}));
      t.put("projection.weight", new StateDict.Tensor(new long[] {2, 8}, new float[16]));
      List<String> ignored = StateDictLoader.load(b, MODEL, new StateDict(FILE, t));
      assertThat(ignored).containsExactly("projection.weight");
      var params = b.getParameters();
      // the first conv, the stem BN's running variance, the final Linear's bias
      assertThat(params.get(0).getValue().getArray().toFloatArray())
          .containsExactly(t.get("conv1.weight").values());
      assertThat(params.get(4).getValue().getArray().toFloatArray())
          .containsExactly(t.get("bn1.running_var").values());
      assertThat(params.get(params.size() - 1).getValue().getArray().toFloatArray())
          .containsExactly(t.get("seg_1.bias").values());
    }
  }

  @Test
  void everyProblemIsNamedAndNothingIsWritten() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block b = block(manager);
      float[] before = b.getParameters().get(0).getValue().getArray().toFloatArray();
      Map<String, StateDict.Tensor> t = complete(b);
      t.put(
          "layer1.0.conv1.weight",
          new StateDict.Tensor(new long[] {32, 32, 1, 1}, new float[1024]));
      t.remove("layer4.1.bn2.running_var");
      t.put("layer5.0.conv1.weight", new StateDict.Tensor(new long[] {1}, new float[1]));
      assertThatThrownBy(() -> StateDictLoader.load(b, MODEL, new StateDict(FILE, t)))
          .isInstanceOf(UserInputException.class)
          .hasMessage(
              "avg_model.pt: does not fit wespeaker's resnet18 (d = 8, F = 16);"
                  + " 1 tensors of another shape: layer1.0.conv1.weight (expected [32, 32, 3, 3],"
                  + " found [32, 32, 1, 1]); 1 missing tensors: layer4.1.bn2.running_var [256];"
                  + " 1 unused tensors: layer5.0.conv1.weight");
      assertThat(b.getParameters().get(0).getValue().getArray().toFloatArray())
          .containsExactly(before);
    }
  }

  @Test
  void theArchitectureIsToldFromTheNamesAndShapes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block b = block(manager);
      SourceModel found = SourceLayouts.detect(new StateDict(FILE, complete(b)), null);
      assertThat(found).isEqualTo(MODEL);
    }
  }

  @Test
  void namesOfNoKnownLayoutAskForArch() {
    StateDict sd =
        new StateDict(
            FILE, Map.of("encoder.weight", new StateDict.Tensor(new long[] {1}, new float[1])));
    assertThatThrownBy(() -> SourceLayouts.detect(sd, null))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(
            "avg_model.pt: cannot tell the architecture from its tensor names (first:"
                + " [encoder.weight]); give it with --arch");
    assertThatThrownBy(() -> SourceLayouts.detect(sd, "r51"))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("unknown --arch 'r51'; known: iresnet18");
  }
}
