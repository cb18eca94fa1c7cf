package io.qmargin.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import io.qmargin.model.onnx.OnnxModel.Attribute;
import io.qmargin.model.onnx.OnnxModel.Dim;
import io.qmargin.model.onnx.OnnxModel.Graph;
import io.qmargin.model.onnx.OnnxModel.Node;
import io.qmargin.model.onnx.OnnxModel.Tensor;
import io.qmargin.model.onnx.OnnxModel.ValueInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX's protobuf encoding: what is written reads back; a file cut anywhere is refused by name. */
class OnnxFilesTest {
  @TempDir Path dir;

  private static OnnxModel sample() {
    Map<String, Attribute> attrs = new LinkedHashMap<>();
    attrs.put("i", new Attribute("i", 3L));
    attrs.put("f", new Attribute("f", 0.25f));
    attrs.put("s", new Attribute("s", "text"));
    attrs.put("ints", new Attribute("ints", new long[] {1, -2, 3}));
    attrs.put("floats", new Attribute("floats", new float[] {1.5f, -2f}));
    attrs.put("t", new Attribute("t", Tensor.of("c", new long[] {2}, new float[] {7f, 8f})));
    Node node = new Node("n0", "Conv", List.of("x", "w", ""), List.of("y"), attrs);
    Graph g =
        new Graph(
            "g",
            List.of(node),
            List.of(
                Tensor.of("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}),
                Tensor.ofInts("shape", 5, -1, 1L << 40)),
            List.of(new ValueInfo("x", OnnxFiles.FLOAT, List.of(Dim.named("batch"), Dim.of(3)))),
            List.of(new ValueInfo("y", OnnxFiles.FLOAT, List.of(Dim.named("batch"), Dim.of(2)))));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("embedding_size", "2");
    metadata.put("preprocessing", "(x - 127.5) / 127.5");
    return new OnnxModel(6, "qmargin", "1.0", Map.of("", 11L), g, metadata);
  }

  @Test
  void whatIsWrittenReadsBack() throws Exception {
    Path file = dir.resolve("m.onnx");
    OnnxFiles.write(sample(), file);

    OnnxModel m = OnnxFiles.read(file);

    assertThat(m.irVersion()).isEqualTo(6);
    assertThat(m.producerName()).isEqualTo("qmargin");
    assertThat(m.defaultOpset()).isEqualTo(11);
    assertThat(m.metadata())
        .containsExactly(
            Map.entry("embedding_size", "2"), Map.entry("preprocessing", "(x - 127.5) / 127.5"));
    Node n = m.graph().nodes().get(0);
    assertThat(n.opType()).isEqualTo("Conv");
    assertThat(n.inputs()).containsExactly("x", "w", "");
    assertThat(n.intAttribute("i", 0)).isEqualTo(3);
    assertThat(n.floatAttribute("f", 0)).isEqualTo(0.25f);
    assertThat(n.attributes().get("s").value()).isEqualTo("text");
    assertThat(n.intsAttribute("ints")).containsExactly(1, -2, 3);
    assertThat((float[]) n.attributes().get("floats").value()).containsExactly(1.5f, -2f);
    assertThat(((Tensor) n.attributes().get("t").value()).floats()).containsExactly(7f, 8f);
    Tensor w = m.graph().initializers().get(0);
    assertThat(w.name()).isEqualTo("w");
    assertThat(w.dims()).containsExactly(2, 3);
    assertThat(w.floats()).containsExactly(1, 2, 3, 4, 5, -6.5f);
    assertThat(m.graph().initializers().get(1).ints()).containsExactly(5, -1, 1L << 40);
    assertThat(m.graph().inputs().get(0).dims()).containsExactly(Dim.named("batch"), Dim.of(3));
  }

  @Test
  void aFileCutAnywhereIsRefusedByName() throws Exception {
    byte[] whole = OnnxFiles.encode(sample());
    Path file = dir.resolve("cut.onnx");
    for (int length = 0; length < whole.length; length++) {
      Files.write(file, Arrays.copyOf(whole, length));
      int cut = length;
      assertThatThrownBy(() -> OnnxFiles.read(file))
          .as("cut at %d of %d bytes", cut, whole.length)
          .isInstanceOf(UserInputException.class)
          .hasMessageStartingWith(file + ": not ");
    }
  }

  @Test
  void anUnreadableFileIsNamed() {
    Path missing = dir.resolve("missing.onnx");

    assertThatThrownBy(() -> OnnxFiles.read(missing))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(missing + ": cannot read");
  }
}
