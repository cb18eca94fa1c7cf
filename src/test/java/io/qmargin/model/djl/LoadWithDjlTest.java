package io.qmargin.model.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.qmargin.cli.QmarginCli;
import io.qmargin.data.face.ImageDecoder;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.io.Npy;
import io.qmargin.model.Backbones;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The model folder in DJL's format loads with plain DJL ({@code Criteria}, the code of
 * docs/models.md "Load with DJL", which this class holds verbatim) and embeds as {@code qmargin
 * embed} does.
 */
class LoadWithDjlTest {
  @TempDir Path dir;

  // --- docs/models.md, "Load with DJL" (kept line for line; see theDocsShowThisCode) ---
  static float[] embedFace(Path modelDir, Path imageFile) throws Exception {
    Criteria<Image, float[]> criteria =
        Criteria.builder()
            .setTypes(Image.class, float[].class)
            .optModelPath(modelDir.resolve("djl")) // RUN/model/djl, or DIR/djl of qmargin import
            .optTranslatorFactory(new EmbeddingTranslatorFactory())
            .build();
    try (ZooModel<Image, float[]> model = criteria.loadModel();
        Predictor<Image, float[]> predictor = model.newPredictor()) {
      Image image = ImageFactory.getInstance().fromFile(imageFile);
      return predictor.predict(image); // L2-normalised, as qmargin embed writes it
    }
  }

  // --- end of the docs' code ---

  @Test
  void aTrainedFaceModelLoadsWithCriteriaAndEmbedsAsQmarginEmbed() throws Exception {
    Path run = dir.resolve("run");
    int code =
        cli(
            "train",
            "--out",
            run.toString(),
            "--set",
            "data.identities=8",
            "--set",
            "data.samples_per_identity=4",
            "--set",
            "data.image_size=32",
            "--set",
            "model.embedding_dim=16",
            "--set",
            "batch_size=16",
            "--set",
            "schedule.epochs=1",
            "--set",
            "validation.type=none");
    assertThat(code).isZero();
    assertThat(run.resolve("model/djl/djl-0000.params")).isRegularFile();
    assertThat(Files.readString(run.resolve("model/djl/serving.properties")))
        .contains("backbone=small", "imageSide=32", "crop=0", "task=face");

    Path images = dir.resolve("images");
    Files.createDirectories(images);
    BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 48; x++) {
        img.setRGB(x, y, ((x * 5) << 16) | ((y * 6) << 8) | ((x * y) & 0xff));
      }
    }
    Path face = images.resolve("face.png");
    ImageIO.write(img, "png", face.toFile());
    Path e = dir.resolve("e.npy");
    assertThat(
            cli(
                "embed",
                "--model",
                run.toString(),
                "--images",
                images.toString(),
                "--out",
                e.toString(),
                "--keys",
                dir.resolve("k.txt").toString()))
        .isZero();
    float[] expected = Npy.read(e).toFloats();
    float[] actual = embedFace(run.resolve("model"), face);
    assertThat(actual).hasSize(16);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).isCloseTo(expected[i], offset(1e-5f));
    }
  }

  /**
   * MobileFaceNet has a dropout layer only when trained with dropout, so the folder records the
   * rate: without it the rebuilt block would not match the saved parameters.
   */
  @Test
  void aMobileFaceNetTrainedWithDropoutLoadsAndEmbedsAsItsBlock() throws Exception {
    Path face = dir.resolve("face.png");
    BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 112; y++) {
      for (int x = 0; x < 112; x++) {
        img.setRGB(x, y, ((x * 2) << 16) | ((y * 2) << 8) | ((x ^ y) & 0xff));
      }
    }
    ImageIO.write(img, "png", face.toFile());
    float[] expected;
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = Backbones.create("mbf", 16, 0.2f);
      block.initialize(manager, DataType.FLOAT32, Backbones.inputShape(1));
      DjlModels.save(
          block,
          Map.of(
              "task", "face",
              "backbone", "mobilefacenet",
              "embeddingDim", "16",
              "imageSide", "112",
              "crop", "0",
              "dropout", "0.2"),
          dir.resolve("djl"));
      float[] chw =
          Preprocessing.insightface().deterministic().apply(ImageDecoder.decode(face), false);
      NDArray y =
          block
              .forward(
                  new ParameterStore(manager, false),
                  new NDList(manager.create(chw, Backbones.inputShape(1))),
                  false)
              .singletonOrThrow();
      expected = y.div(y.norm()).toFloatArray();
    }
    float[] actual = embedFace(dir, face);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).isCloseTo(expected[i], offset(1e-5f));
    }
  }

  private static int cli(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = QmarginCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    int code = cl.execute(args);
    assertThat(code).as(err.toString()).isZero();
    return code;
  }

  @Test
  void theDocsShowThisCode() throws Exception {
    List<String> source =
        codeLines(
            Files.readString(Path.of("src/test/java/io/qmargin/model/djl/LoadWithDjlTest.java")),
            "// --- docs/models.md",
            "// --- end");
    String docs = Files.readString(Path.of("docs/models.md"));
    int start = docs.indexOf("```java", docs.indexOf("## Load with DJL"));
    List<String> shown = new ArrayList<>();
    for (String line : docs.substring(start + 7, docs.indexOf("```", start + 7)).split("\n")) {
      if (!line.isBlank()) {
        shown.add(line.trim());
      }
    }
    assertThat(shown).isEqualTo(source);
  }

  private static List<String> codeLines(String text, String from, String to) {
    String block = text.substring(text.indexOf('\n', text.indexOf(from)) + 1, text.indexOf(to));
    List<String> out = new ArrayList<>();
    for (String line : block.split("\n")) {
      if (!line.isBlank()) {
        out.add(line.trim());
      }
    }
    return out;
  }
}
