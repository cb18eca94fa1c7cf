package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.qmargin.data.face.ImageDecoder;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.face.SyntheticFaces;
import io.qmargin.io.Npy;
import io.qmargin.model.onnx.OnnxExport;
import io.qmargin.model.onnx.OrtRunner;
import io.qmargin.train.FaceData;
import io.qmargin.train.Models;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole route from a foreign model to a deployable one, from the command line: {@code qmargin
 * import} an insightface MobileFaceNet (as a PyTorch state dict, and as an ONNX export), {@code
 * train} it a few steps from {@code model.init}, {@code qmargin export} the tuned run, and the ONNX
 * file in ONNX Runtime gives {@code qmargin embed}'s L2-normalised embeddings of the same image
 * files within 1e-4. Needs the generated fixtures; a MobileFaceNet step at 112 x 112 takes a while
 * on a CPU: tagged integration.
 */
@Tag("integration")
class ImportFineTuneExportTest {
  private static final int SIDE = 112;
  private static final int IMAGES = 3;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "target/fixtures/mobilefacenet/state_dict.pth",
        "target/fixtures/onnx/mobilefacenet/model.onnx"
      })
  void anImportedModelFineTunedAndExportedGivesEmbedsEmbeddingsInOnnxRuntime(String fixture)
      throws Exception {
    Path source = Path.of(fixture);
    Assumptions.assumeTrue(
        Files.isRegularFile(source),
        source
            + " not generated; run: /usr/bin/python3 tools/fixtures/state_dicts.py target/fixtures"
            + " && /usr/bin/python3 tools/fixtures/onnx_exports.py target/fixtures/onnx");
    Path imported = dir.resolve("imported");
    run("import", source.toString(), "--out", imported.toString());
    Path tuned = dir.resolve("tuned");
    run(
        "train",
        "--out",
        tuned.toString(),
        "--set",
        "model.backbone=mobilefacenet",
        "--set",
        "model.embedding_dim=512",
        "--set",
        "model.init=" + imported,
        "--set",
        "data.identities=4",
        "--set",
        "data.samples_per_identity=2",
        "--set",
        "batch_size=8",
        "--set",
        "schedule.epochs=1",
        "--set",
        "loss=arcface:s=16,m=0.2",
        "--set",
        "validation.type=none");
    assertThat(largestChange(imported, tuned)).as("weights moved").isGreaterThan(0f);
    Path onnx = dir.resolve("tuned.onnx");
    run("export", "--model", tuned.toString(), "--out", onnx.toString());

    List<Path> images = images(dir.resolve("images"));
    float[] embedded = embed(tuned, dir.resolve("images"));
    // the tuned embeddings differ from the imported model's by more than the tolerance, so an
    // export that missed the fine-tuning would fail the comparison below
    assertThat(OrtRunner.maxAbsDifference(embed(imported, dir.resolve("images")), embedded))
        .isGreaterThan(1e-3);
    // embed lists the folder sorted by name, as images(...) returns it
    float[] inputs = new float[images.size() * 3 * SIDE * SIDE];
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainConfig config = TrainedModel.load(tuned, manager).config();
      Preprocessing pre = FaceData.preprocessing(config.data(), config.seed()).deterministic();
      for (int i = 0; i < images.size(); i++) {
        float[] x = pre.apply(ImageDecoder.decode(images.get(i)), false);
        System.arraycopy(x, 0, inputs, i * x.length, x.length);
      }
    }
    float[][] ort =
        OrtRunner.run(
            onnx, OnnxExport.FACE_INPUT, inputs, new long[] {images.size(), 3, SIDE, SIDE});
    assertThat(OrtRunner.maxAbsDifference(OrtRunner.normalizedRows(ort), embedded))
        .isLessThanOrEqualTo(1e-4);
  }

  /** {@code qmargin embed}'s L2-normalised embeddings of the images in {@code folder}. */
  private float[] embed(Path model, Path folder) {
    Path out = dir.resolve(model.getFileName() + "-embeddings.npy");
    run(
        "embed",
        "--model",
        model.toString(),
        "--images",
        folder.toString(),
        "--out",
        out.toString(),
        "--keys",
        dir.resolve(model.getFileName() + "-keys.txt").toString());
    return Npy.read(out).toFloats();
  }

  private static void run(String... args) {
    CliCapture c = new CliCapture();
    assertThat(c.run(args)).as(String.join(" ", args) + "\n" + c.err).isZero();
  }

  /**
   * Real faces (a few LFW photographs) when the shared data is present, else synthetic faces
   * written as PNG files; sorted by file name.
   */
  private static List<Path> images(Path folder) throws Exception {
    Files.createDirectories(folder);
    Path lfw = Path.of("..", "shared", "data", "lfw", "lfw-deepfunneled");
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(lfw)) {
      try (Stream<Path> all = Files.walk(lfw)) {
        List<Path> jpgs =
            all.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(IMAGES).toList();
        for (Path jpg : jpgs) {
          files.add(Files.copy(jpg, folder.resolve(jpg.getFileName())));
        }
      }
    } else {
      SyntheticFaces faces =
          new SyntheticFaces(IMAGES, 1, Preprocessing.insightface().deterministic());
      for (int i = 0; i < IMAGES; i++) {
        files.add(folder.resolve("face" + i + ".png"));
        ImageIO.write(image(faces.render(i, 0, false)), "png", files.get(i).toFile());
      }
    }
    return files.stream().sorted().toList();
  }

  /** Largest |before - after| over the trained weights (not BatchNorm's running statistics). */
  private static float largestChange(Path before, Path after) {
    try (NDManager manager = NDManager.newBaseManager()) {
      var a = Models.load(before, null, manager).backbone().getParameters();
      var b = Models.load(after, null, manager).backbone().getParameters();
      float max = 0;
      for (int i = 0; i < a.size(); i++) {
        Parameter.Type type = a.get(i).getValue().getType();
        if (type == Parameter.Type.RUNNING_MEAN || type == Parameter.Type.RUNNING_VAR) {
          continue;
        }
        float[] x = a.get(i).getValue().getArray().toFloatArray();
        float[] y = b.get(i).getValue().getArray().toFloatArray();
        for (int k = 0; k < x.length; k++) {
          max = Math.max(max, Math.abs(x[k] - y[k]));
        }
      }
      return max;
    }
  }

  /** CHW floats in [-1, 1] back to an 8-bit RGB image. */
  private static BufferedImage image(float[] chw) {
    BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    int plane = SIDE * SIDE;
    for (int p = 0; p < plane; p++) {
      int r = Math.round((chw[p] + 1) * 127.5f);
      int g = Math.round((chw[plane + p] + 1) * 127.5f);
      int b = Math.round((chw[2 * plane + p] + 1) * 127.5f);
      img.setRGB(p % SIDE, p / SIDE, (r << 16) | (g << 8) | b);
    }
    return img;
  }
}
