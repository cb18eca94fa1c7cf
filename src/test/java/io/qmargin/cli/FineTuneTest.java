package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import io.qmargin.train.Models;
import io.qmargin.train.TrainedModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning ({@code model.init}): a run starts from the weights of another model (a qmargin run,
 * or an imported insightface model), trains any loss and head on top, and its weights move (the
 * trained weights; BatchNorm's running statistics follow the data anyway); an init model of another
 * architecture is refused with both named.
 */
class FineTuneTest {
  @TempDir Path dir;

  private static final List<String> TINY =
      List.of(
          "--set", "data.identities=8",
          "--set", "data.samples_per_identity=4",
          "--set", "data.image_size=32",
          "--set", "model.embedding_dim=16",
          "--set", "batch_size=16",
          "--set", "schedule.epochs=1",
          "--set", "validation.type=none");

  private static String[] args(Path out, List<String> common, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "--out", out.toString()));
    a.addAll(common);
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  private static float[][] weights(Path model) {
    try (NDManager manager = NDManager.newBaseManager()) {
      PairList<String, Parameter> p = Models.load(model, null, manager).backbone().getParameters();
      List<float[]> w = new ArrayList<>();
      for (var param : p.values()) {
        // BatchNorm's running statistics follow the data whatever the learning rate
        if (param.getType() != Parameter.Type.RUNNING_MEAN
            && param.getType() != Parameter.Type.RUNNING_VAR) {
          w.add(param.getArray().toFloatArray());
        }
      }
      return w.toArray(float[][]::new);
    }
  }

  /** Largest |a - b| over all parameters. */
  private static float distance(float[][] a, float[][] b) {
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < a[i].length; k++) {
        m = Math.max(m, Math.abs(a[i][k] - b[i][k]));
      }
    }
    return m;
  }

  @Test
  void aRunStartsFromItsInitModelAndMovesAway() {
    Path first = dir.resolve("first");
    CliCapture a = new CliCapture();
    assertThat(a.run(args(first, TINY, "--set", "seed=1"))).as(a.err.toString()).isZero();
    // the same recipe with another seed, once from scratch and once from the first model
    Path scratch = dir.resolve("scratch");
    CliCapture b = new CliCapture();
    assertThat(b.run(args(scratch, TINY, "--set", "seed=2", "--set", "optimizer.lr=1e-6")))
        .as(b.err.toString())
        .isZero();
    Path tuned = dir.resolve("tuned");
    CliCapture c = new CliCapture();
    int code =
        c.run(
            args(
                tuned,
                TINY,
                "--set",
                "seed=2",
                "--set",
                "optimizer.lr=1e-6",
                "--set",
                "loss=arcface:s=16,m=0.2",
                "--set",
                "model.init=" + first));
    assertThat(code).as(c.err.toString()).isZero();
    assertThat(c.err.toString()).contains("backbone initialised from " + first);
    float[][] init = weights(first);
    float[][] fine = weights(tuned);
    // a tiny learning rate: the tuned model stays next to its init, unlike the one from scratch
    float moved = distance(init, fine);
    assertThat(moved).as("weights moved").isGreaterThan(0f);
    assertThat(moved).isLessThan(1e-3f);
    assertThat(distance(init, weights(scratch))).isGreaterThan(1e-2f);
  }

  @Test
  void anInitModelOfAnotherArchitectureIsRefusedNamingBoth() {
    Path first = dir.resolve("first");
    CliCapture a = new CliCapture();
    assertThat(a.run(args(first, TINY))).as(a.err.toString()).isZero();
    Path other = dir.resolve("other");
    CliCapture b = new CliCapture();
    int code =
        b.run(args(other, TINY, "--set", "model.embedding_dim=24", "--set", "model.init=" + first));
    assertThat(code).isNotZero();
    assertThat(b.err.toString())
        .contains(
            "model.init "
                + first
                + " holds face small (d = 16, input [3, 32, 32]) but the config trains face small"
                + " (d = 24, input [3, 32, 32])");
  }

  /**
   * Needs the generated fixtures (tools/fixtures/state_dicts.py); a MobileFaceNet step at 112 x 112
   * takes a while on a CPU: tagged integration, left out of {@code mvn test}.
   */
  @Test
  @Tag("integration")
  void anImportedInsightfaceModelFineTunesAndEmbeds() throws Exception {
    Path pth = Path.of("target", "fixtures", "mobilefacenet", "state_dict.pth");
    Assumptions.assumeTrue(
        Files.isRegularFile(pth),
        pth + " not generated; run: /usr/bin/python3 tools/fixtures/state_dicts.py");
    Path imported = dir.resolve("mbf");
    CliCapture imp = new CliCapture();
    assertThat(imp.run("import", pth.toString(), "--out", imported.toString()))
        .as(imp.err.toString())
        .isZero();
    Path tuned = dir.resolve("tuned");
    CliCapture t = new CliCapture();
    int code =
        t.run(
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
            "head.type=partial_fc",
            "--set",
            "loss=cosface:s=30,m=0.3",
            "--set",
            "validation.type=none");
    assertThat(code).as(t.err.toString()).isZero();
    float[][] before = weights(imported);
    float[][] after = weights(tuned);
    assertThat(distance(before, after)).as("weights moved").isGreaterThan(0f);
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = Models.load(tuned, null, manager);
      assertThat(m.config().model().backbone()).isEqualTo("mobilefacenet");
    }
    Path images = dir.resolve("images");
    Files.createDirectories(images);
    BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 112; y++) {
      for (int x = 0; x < 112; x++) {
        img.setRGB(x, y, ((x * 2) << 16) | ((y * 2) << 8) | 90);
      }
    }
    ImageIO.write(img, "png", images.resolve("face.png").toFile());
    CliCapture e = new CliCapture();
    assertThat(
            e.run(
                "embed",
                "--model",
                tuned.toString(),
                "--images",
                images.toString(),
                "--out",
                dir.resolve("e.npy").toString(),
                "--keys",
                dir.resolve("k.txt").toString()))
        .as(e.err.toString())
        .isZero();
    assertThat(e.out.toString()).contains("1 embeddings of dimension 512");
  }
}
