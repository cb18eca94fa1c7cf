package io.qmargin.model.imports;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.qmargin.io.Npy;
import io.qmargin.model.onnx.OnnxStateDicts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * insightface and wespeaker state dicts written by PyTorch ({@code tools/fixtures/state_dicts.py},
 * seeded random weights with non-trivial BatchNorm statistics) loaded into qmargin's backbones give
 * PyTorch's own embeddings of the same inputs: max |difference| ≤ 1e-4 after L2 normalisation. The
 * fixtures are generated, not committed; without them the test is skipped with the command.
 */
class ImportedForwardTest {

  /** Where {@code state_dicts.py} writes by default, from the project root. */
  static final Path FIXTURES = Path.of("target", "fixtures");

  static Path fixture(String arch) {
    Path dir = FIXTURES.resolve(arch);
    Assumptions.assumeTrue(
        Files.isRegularFile(dir.resolve("state_dict.pth")),
        dir
            + " not generated; run: /usr/bin/python3 tools/fixtures/state_dicts.py (needs"
            + " python3-torch)");
    return dir;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "iresnet18, insightface, iresnet18, 512",
    "mobilefacenet, insightface, mobilefacenet, 512",
    "resnet34, wespeaker, resnet34, 256",
    "ecapa512, wespeaker, ecapa512, 192"
  })
  void qmarginForwardEqualsPyTorchs(String arch, String project, String backbone, int d) {
    check(arch, project, backbone, d);
  }

  /** IResNet-50 (170 MB of weights): tagged integration, left out of {@code mvn test}. */
  @Test
  @Tag("integration")
  void iresnet50ForwardEqualsPyTorchs() {
    check("iresnet50", "insightface", "iresnet50", 512);
  }

  /**
   * The same through ONNX: the graphs {@code tools/fixtures/onnx_exports.py} exports as the two
   * projects' scripts do (BatchNorms folded), read back by {@link OnnxStateDicts} and loaded by the
   * same mapping, give PyTorch's own embeddings of that model.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "iresnet18, insightface, iresnet18, 512",
    "mobilefacenet, insightface, mobilefacenet, 512",
    "resnet34, wespeaker, resnet34, 256",
    "ecapa512, wespeaker, ecapa512, 192"
  })
  void anOnnxExportLoadedIntoQmarginGivesPyTorchsEmbeddings(
      String arch, String project, String backbone, int d) {
    Path dir = FIXTURES.resolve("onnx").resolve(arch);
    Assumptions.assumeTrue(
        Files.isRegularFile(dir.resolve("model.onnx")),
        dir
            + " not generated; run: /usr/bin/python3 tools/fixtures/onnx_exports.py"
            + " target/fixtures/onnx (needs python3-torch, python3-onnx)");
    check(dir, OnnxStateDicts.read(dir.resolve("model.onnx"), null), arch, project, backbone, d);
  }

  private static void check(String arch, String project, String backbone, int d) {
    Path dir = fixture(arch);
    check(dir, TorchStateDicts.read(dir.resolve("state_dict.pth")), arch, project, backbone, d);
  }

  private static void check(
      Path dir, StateDict sd, String arch, String project, String backbone, int d) {
    SourceModel model = SourceLayouts.detect(sd, null);
    assertThat(model.project()).isEqualTo(project);
    assertThat(model.backbone()).isEqualTo(backbone);
    assertThat(model.embeddingDim()).isEqualTo(d);
    Npy.Array input = Npy.read(dir.resolve("input.npy"));
    Npy.Array expected = Npy.read(dir.resolve("output.npy"));
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = model.create();
      Shape shape = new Shape(input.shape());
      block.initialize(manager, DataType.FLOAT32, shape);
      var ignored = StateDictLoader.load(block, model, sd);
      if (arch.equals("resnet34") && sd.tensors().containsKey("projection.weight")) {
        assertThat(ignored).contains("projection.weight");
      }
      NDArray x = manager.create(floats(input), shape);
      NDArray y =
          block
              .forward(new ParameterStore(manager, false), new NDList(x), false)
              .singletonOrThrow();
      NDArray want = manager.create(floats(expected), new Shape(expected.shape()));
      NDArray diff = normalised(y).sub(normalised(want)).abs().max();
      assertThat(diff.getFloat()).as("max |difference| after L2 normalisation").isLessThan(1e-4f);
      // and the comparison can fail: the embeddings are not all alike
      assertThat(normalised(want).get(0).sub(normalised(want).get(1)).abs().max().getFloat())
          .isGreaterThan(1e-2f);
    }
  }

  static NDArray normalised(NDArray e) {
    return e.div(e.norm(new int[] {1}, true));
  }

  static float[] floats(Npy.Array a) {
    float[] v = new float[(int) a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) a.getDouble(i);
    }
    return v;
  }
}
