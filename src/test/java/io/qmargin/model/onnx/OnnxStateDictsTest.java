package io.qmargin.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.qmargin.UserInputException;
import io.qmargin.io.Npy;
import io.qmargin.model.Backbones;
import io.qmargin.model.imports.StateDict;
import io.qmargin.model.speaker.SpeakerBackbones;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX graphs back into their source project's state dict: PyTorch's own exports of insightface's
 * and wespeaker's architectures (generated fixtures: BatchNorms folded into convs) against the
 * folded state dict computed from the PyTorch modules; qmargin's own exports (BatchNorms kept)
 * against the backbone's parameters, tensor by tensor; bad files and graphs refused by name.
 */
class OnnxStateDictsTest {
  /** Written by tools/fixtures/onnx_exports.py. */
  private static final Path FIXTURES = Path.of("target/fixtures/onnx");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"iresnet18", "iresnet50", "mobilefacenet", "resnet34", "ecapa512"})
  void pytorchExportsGiveTheFoldedStateDictOfTheSourceModules(String arch) throws Exception {
    Path fixture = FIXTURES.resolve(arch);
    assumeTrue(
        Files.isRegularFile(fixture.resolve("model.onnx")),
        "no ONNX fixtures: run /usr/bin/python3 tools/fixtures/onnx_exports.py"
            + " (needs python3-torch and python3-onnx)");

    StateDict found = OnnxStateDicts.read(fixture.resolve("model.onnx"), null);

    List<String> names = Files.readAllLines(fixture.resolve("expected/names.txt"));
    assertThat(found.tensors().keySet()).containsExactlyInAnyOrderElementsOf(names);
    for (String name : names) {
      Npy.Array expected = Npy.read(fixture.resolve("expected/" + name + ".npy"));
      StateDict.Tensor t = found.tensors().get(name);
      assertThat(t.shape()).as(name).containsExactly(expected.shape());
      float[] e = expected.toFloats();
      // PyTorch folds in float32 in its own order of operations: equal up to rounding
      int worst = -1;
      for (int i = 0; i < e.length; i++) {
        if (Math.abs(t.values()[i] - e[i]) > 1e-5 * (1 + Math.abs(e[i]))) {
          worst = i;
          break;
        }
      }
      assertThat(worst)
          .as("%s: first differing value (expected %s)", name, worst < 0 ? "" : e[worst])
          .isEqualTo(-1);
    }
    assertThat(OnnxStateDicts.read(fixture.resolve("model.onnx"), arch).tensors().keySet())
        .containsExactlyElementsOf(found.tensors().keySet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"iresnet18", "mobilefacenet", "resnet34", "ecapa512"})
  void qmarginsOwnExportsReadBackInTheSourceNamesTensorForTensor(String arch) throws Exception {
    boolean speaker = arch.equals("resnet34") || arch.equals("ecapa512");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block backbone =
          speaker ? SpeakerBackbones.create(arch, 24, 80) : Backbones.create(arch, 24, 0f);
      long[] sample = speaker ? new long[] {50, 80} : new long[] {3, 112, 112};
      backbone.initialize(
          manager,
          DataType.FLOAT32,
          speaker ? SpeakerBackbones.inputShape(1, 50, 80) : Backbones.inputShape(1));
      OnnxExportTest.randomize(backbone, 5);
      Path file = dir.resolve(arch + ".onnx");
      OnnxFiles.write(OnnxExport.toOnnx(backbone, speaker, sample, Map.of()), file);

      StateDict found = OnnxStateDicts.read(file, null);

      // qmargin's backbones follow the sources' layer order, so the n-th tensor is the n-th
      // DJL parameter
      List<Pair<String, Parameter>> params = backbone.getParameters().stream().toList();
      List<StateDict.Tensor> tensors = List.copyOf(found.tensors().values());
      assertThat(tensors).hasSameSizeAs(params);
      for (int i = 0; i < params.size(); i++) {
        var array = params.get(i).getValue().getArray();
        assertThat(tensors.get(i).shape())
            .as(params.get(i).getKey())
            .containsExactly(array.getShape().getShape());
        // (Arrays.equals: AssertJ's containsExactly takes quadratic time on large arrays)
        assertThat(Arrays.equals(tensors.get(i).values(), array.toFloatArray()))
            .as("values of %s", params.get(i).getKey())
            .isTrue();
      }
      List<String> names = List.copyOf(found.tensors().keySet());
      switch (arch) {
        case "iresnet18" ->
            assertThat(names)
                .startsWith("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean")
                .contains("layer1.0.downsample.1.running_var", "layer4.1.prelu.weight")
                .endsWith(
                    "fc.weight",
                    "fc.bias",
                    "features.weight",
                    "features.bias",
                    "features.running_mean",
                    "features.running_var");
        case "mobilefacenet" ->
            assertThat(names)
                .startsWith("layers.0.layers.0.weight", "layers.0.layers.1.weight")
                .contains("layers.5.layers.5.layers.2.layers.0.weight")
                .endsWith(
                    "features.layers.2.weight",
                    "features.layers.3.weight",
                    "features.layers.3.bias",
                    "features.layers.3.running_mean",
                    "features.layers.3.running_var");
        case "resnet34" ->
            assertThat(names)
                .startsWith("conv1.weight", "bn1.weight")
                .contains("layer2.0.shortcut.0.weight", "layer4.2.bn2.running_var")
                .doesNotContain("layer1.0.shortcut.0.weight")
                .endsWith("seg_1.weight", "seg_1.bias");
        default ->
            assertThat(names)
                .startsWith("layer1.conv.weight", "layer1.conv.bias", "layer1.bn.weight")
                .contains(
                    "layer3.se_res2block.1.bns.6.running_var",
                    "layer4.se_res2block.3.linear2.bias",
                    "pool.linear1.weight")
                .endsWith("bn.running_var", "linear.weight", "linear.bias");
      }
    }
  }

  private Path exportedIresnet18() throws Exception {
    Path file = dir.resolve("r18.onnx");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block backbone = Backbones.create("r18", 8, 0f);
      backbone.initialize(manager, DataType.FLOAT32, Backbones.inputShape(1));
      OnnxFiles.write(OnnxExport.toOnnx(backbone, false, new long[] {3, 112, 112}, Map.of()), file);
    }
    return file;
  }

  @Test
  void aTruncatedFileIsRefusedByName() throws Exception {
    byte[] whole = Files.readAllBytes(exportedIresnet18());
    Path cut = dir.resolve("cut.onnx");
    Files.write(cut, Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(() -> OnnxStateDicts.read(cut, null))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(cut + ": not a readable ONNX model, truncated or corrupt");
  }

  @Test
  void aFileThatIsNotOnnxIsRefusedByName() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.onnx"), "these are not weights\n");

    assertThatThrownBy(() -> OnnxStateDicts.read(text, null))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(text + ": not ");
  }

  @Test
  void anUnknownArchitectureIsRefused() throws Exception {
    Path file = exportedIresnet18();

    assertThatThrownBy(() -> OnnxStateDicts.read(file, "r200"))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("unknown architecture 'r200' for ONNX import; known: iresnet18");
  }

  @Test
  void aGraphOfAnotherArchitectureSaysWhereItDiffers() throws Exception {
    Path file = exportedIresnet18();

    // r18's layers with weights are r50's first ones: the graph ends where layer2.3 begins
    assertThatThrownBy(() -> OnnxStateDicts.read(file, "r50"))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(file + ": not insightface's iresnet50: layer ")
        .hasMessageContaining("is where BatchNorm layer2.0.bn1 should be");
  }

  @Test
  void aGraphOfNoKnownArchitectureIsRefusedWithWhatItHolds() throws Exception {
    Path file = dir.resolve("small.onnx");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block backbone = Backbones.create("small", 8, 0f);
      backbone.initialize(manager, DataType.FLOAT32, Backbones.inputShape(1));
      OnnxFiles.write(OnnxExport.toOnnx(backbone, false, new long[] {3, 112, 112}, Map.of()), file);
    }

    assertThatThrownBy(() -> OnnxStateDicts.read(file, null))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            file
                + ": the graph is none of the architectures ONNX import knows (iresnet18,"
                + " iresnet34, iresnet50, iresnet100, mobilefacenet, resnet18, resnet34, ecapa512,"
                + " ecapa1024); it has 14 Conv, 20 BatchNormalization, 5 PRelu and 1 linear layers"
                + " with weights; name the architecture to see where it differs");
  }
}
