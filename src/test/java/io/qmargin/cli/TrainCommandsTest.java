package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.Json;
import io.qmargin.io.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qmargin train, embed and demo through the command line. */
class TrainCommandsTest {
  private static final String[] TINY = {
    "--set",
    "data.identities=16",
    "--set",
    "data.samples_per_identity=4",
    "--set",
    "data.image_size=32",
    "--set",
    "model.embedding_dim=32",
    "--set",
    "batch_size=16",
    "--set",
    "schedule.epochs=1",
    "--set",
    "validation.identities=6",
    "--set",
    "validation.samples_per_identity=3"
  };

  private static String[] args(String[] head, String... tail) {
    List<String> a = new ArrayList<>(List.of(head));
    a.addAll(List.of(tail));
    return a.toArray(String[]::new);
  }

  @Test
  void trainThenEmbedImagesWithTheTrainedModel(@TempDir Path dir) throws Exception {
    Path run = dir.resolve("run");
    CliCapture train = new CliCapture();
    int code = train.run(args(new String[] {"train", "--out", run.toString()}, TINY));
    assertThat(code).as(train.err.toString()).isZero();
    assertThat(train.out.toString()).contains("trained qmargin", "EER");
    // off a terminal (as under the test runner): a header and plain lines, no carriage-return bar
    assertThat(train.err.toString())
        .contains(
            "train: face data synthetic, 16 classes, 64 samples; 4 steps; run directory " + run,
            "step 4 of 4: loss ")
        .doesNotContain("\r");
    byte[] results = Files.readAllBytes(run.resolve("results.json"));
    CliCapture again = new CliCapture();
    assertThat(again.run("train", "--resume", "--out", run.toString()))
        .as(again.err.toString())
        .isZero();
    assertThat(again.err.toString()).contains(run + " is a finished run", "nothing to resume");
    assertThat(again.out.toString()).contains("finished earlier: 4 steps, loss ");
    assertThat(run.resolve("results.json")).hasBinaryContent(results);

    // a left-right symmetric image (its flip is itself) and an asymmetric one, in a nested folder
    Path images = dir.resolve("images");
    Files.createDirectories(images.resolve("a"));
    BufferedImage sym = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    BufferedImage asym = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 40; x++) {
        int v = Math.abs(2 * x - 39) * 3 + y * 2; // column x and 39 - x alike
        sym.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (y * 5));
        asym.setRGB(x, y, ((x * 6) << 16) | ((y * 6) << 8) | 40);
      }
    }
    ImageIO.write(sym, "png", images.resolve("a/sym.png").toFile());
    ImageIO.write(asym, "png", images.resolve("asym.png").toFile());
    Files.writeString(images.resolve("notes.txt"), "not an image");

    float[][] plain = embed(run, images, dir.resolve("e1.npy"), dir.resolve("k1.txt"), false);
    float[][] flipped = embed(run, images, dir.resolve("e2.npy"), dir.resolve("k2.txt"), true);
    assertThat(Files.readAllLines(dir.resolve("k1.txt"))).containsExactly("a/sym.png", "asym.png");
    for (float[] row : plain) {
      double n = 0;
      for (float v : row) {
        n += v * v;
      }
      assertThat(n).isCloseTo(1, within(1e-5));
    }
    // flip test: the symmetric image's embedding does not change, the asymmetric one's does
    for (int k = 0; k < 32; k++) {
      assertThat(flipped[0][k]).isCloseTo(plain[0][k], within(1e-5f));
    }
    double diff = 0;
    for (int k = 0; k < 32; k++) {
      diff += Math.abs(flipped[1][k] - plain[1][k]);
    }
    assertThat(diff).isGreaterThan(1e-3);
  }

  private static float[][] embed(Path run, Path images, Path out, Path keys, boolean flip) {
    CliCapture c = new CliCapture();
    List<String> a =
        new ArrayList<>(
            List.of(
                "embed",
                "--model",
                run.toString(),
                "--images",
                images.toString(),
                "--out",
                out.toString(),
                "--keys",
                keys.toString()));
    if (flip) {
      a.add("--flip");
    }
    assertThat(c.run(a.toArray(String[]::new))).as(c.err.toString()).isZero();
    Npy.Array e = Npy.read(out);
    int n = (int) e.shape()[0];
    int d = (int) e.shape()[1];
    float[] all = e.toFloats();
    float[][] rows = new float[n][d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(all, i * d, rows[i], 0, d);
    }
    return rows;
  }

  @Test
  void quickDemoComparesTheLossesAndWritesTheReport(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("demo");
    CliCapture c = new CliCapture();
    int code =
        c.run(args(new String[] {"demo", "--quick", "--synthetic", "--out", out.toString()}, TINY));
    assertThat(code).as(c.err.toString()).isZero();
    assertThat(c.out.toString())
        .contains(
            "TAR@FAR=1e-3", "TAR@FAR=1e-4", "EER", "mean support", "qmargin", "arcface", "cosface");
    assertThat(c.err.toString()).contains("NOT face data");
    JsonNode r = Json.mapper().readTree(out.resolve("results.json").toFile());
    for (String m : new String[] {"qmargin", "arcface", "cosface"}) {
      JsonNode method = r.get("methods").get(m);
      assertThat(method).as(m).isNotNull();
      assertThat(method.get("tar_at_far").get("1e-4").asDouble()).isBetween(0.0, 1.0);
      assertThat(method.get("eer").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(r.get("methods").get("arcface").get("mean_support").asDouble()).isEqualTo(16.0);
    assertThat(r.get("methods").get("qmargin").get("mean_support").asDouble()).isLessThan(16.0);
    for (String f : new String[] {"report.md", "roc.png", "det.png", "runs/qmargin/config.yaml"}) {
      assertThat(out.resolve(f)).exists();
    }
    assertThat(Files.readString(out.resolve("report.md")))
        .contains("qmargin demo", "arcface", "![ROC](roc.png)");
    // a second demo into the same folder replaces the first
    assertThat(
            new CliCapture()
                .run(
                    args(
                        new String[] {
                          "demo",
                          "--quick",
                          "--synthetic",
                          "--out",
                          out.toString(),
                          "--loss",
                          "cosface"
                        },
                        TINY)))
        .isZero();
    assertThat(out.resolve("runs/qmargin")).doesNotExist();
  }

  @Test
  void configMistakesExitWithTwoAndNameTheKey(@TempDir Path dir) throws Exception {
    CliCapture c = new CliCapture();
    assertThat(c.run("train", "--out", dir.resolve("r").toString(), "--set", "optimizer.lrate=1"))
        .isEqualTo(2);
    assertThat(c.err.toString()).contains("optimizer.lrate");
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    Files.writeString(other.resolve("precious.txt"), "keep me");
    CliCapture d = new CliCapture();
    assertThat(d.run("demo", "--quick", "--synthetic", "--out", other.toString())).isEqualTo(2);
    assertThat(d.err.toString()).contains("not an earlier demo");
    assertThat(other.resolve("precious.txt")).exists();
  }

  @Test
  void printConfigChecksEveryValueAndNeedsNoOut(@TempDir Path dir) throws Exception {
    CliCapture ok = new CliCapture();
    assertThat(
            ok.run("train", "--print-config", "--set", "task=speaker", "--set", "data.type=found"))
        .as(ok.err.toString())
        .isZero();
    JsonNode printed = yaml(ok.out.toString());
    assertThat(printed.get("task").asText()).isEqualTo("speaker");
    assertThat(printed.get("loss").asText()).isEqualTo("qmargin:alpha=1.5,s=10,m=0.2");
    CliCapture bad = new CliCapture();
    assertThat(bad.run("train", "--print-config", "--set", "batch_size=0")).isEqualTo(2);
    assertThat(bad.err.toString().strip())
        .endsWith(": --set batch_size=0: batch_size must be >= 1, got 0")
        .doesNotContain("\n");
    assertThat(bad.out.toString()).isEmpty();
    CliCapture noOut = new CliCapture();
    assertThat(noOut.run("train", "--set", "schedule.epochs=1")).isEqualTo(2);
    assertThat(noOut.err.toString()).contains("--out").doesNotContain("Exception");
  }

  @Test
  void aBadValueOfTheConfigFileIsBlamedOnTheFileAndOneOfASetOnTheSet(@TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, "schedule:\n  epochs: 0\n");
    CliCapture file = new CliCapture();
    assertThat(
            file.run("train", "--config", config.toString(), "--out", dir.resolve("r").toString()))
        .isEqualTo(2);
    assertThat(file.err.toString().strip())
        .endsWith(": " + config + ": schedule.epochs must be > 0, got 0");
    assertThat(dir.resolve("r")).doesNotExist();
    CliCapture set = new CliCapture();
    assertThat(
            set.run(
                "train",
                "--config",
                config.toString(),
                "--set",
                "schedule.epochs=2",
                "--set",
                "batch_size=12.5",
                "--out",
                dir.resolve("r").toString()))
        .isEqualTo(2);
    assertThat(set.err.toString().strip())
        .endsWith(": --set batch_size=12.5: batch_size must be an integer, got 12.5");
  }

  @Test
  void trainDataMeansWhatDemoDataMeans(@TempDir Path dir) throws Exception {
    // an LFW layout: the default synthetic face data switches to LFW, as qmargin demo --data does
    Path holder = dir.resolve("data with: spaces # and a hash");
    Files.createDirectories(holder.resolve("lfw/Ann_Able"));
    CliCapture face = new CliCapture();
    assertThat(face.run("train", "--print-config", "--data", holder.toString()))
        .as(face.err.toString())
        .isZero();
    JsonNode printed = yaml(face.out.toString());
    assertThat(printed.at("/data/type").asText()).isEqualTo("lfw");
    assertThat(printed.at("/data/path").asText()).isEqualTo(holder.resolve("lfw").toString());
    // speakers: the folder speech is found in, data.type kept
    CliCapture speaker = new CliCapture();
    assertThat(
            speaker.run(
                "train",
                "--print-config",
                "--set",
                "task=speaker",
                "--set",
                "data.type=found",
                "--data",
                holder.toString()))
        .as(speaker.err.toString())
        .isZero();
    printed = yaml(speaker.out.toString());
    assertThat(printed.at("/data/type").asText()).isEqualTo("found");
    assertThat(printed.at("/data/path").asText()).isEqualTo(holder.toString());
    CliCapture missing = new CliCapture();
    assertThat(missing.run("train", "--print-config", "--data", dir.resolve("nowhere").toString()))
        .isEqualTo(2);
    assertThat(missing.err.toString()).contains("nowhere");
  }

  private static JsonNode yaml(String text) throws java.io.IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(text);
  }

  @Test
  void resumeRefusesAMistypedOrForeignDirectoryAndWritesNothing(@TempDir Path dir)
      throws Exception {
    Path typo = dir.resolve("rnu");
    CliCapture c = new CliCapture();
    assertThat(c.run("train", "--resume", "--out", typo.toString())).isEqualTo(2);
    assertThat(c.err.toString()).contains(typo + " does not exist").doesNotContain("\tat ");
    assertThat(typo).doesNotExist();
    Path foreign = dir.resolve("photos");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("precious.txt"), "keep me");
    CliCapture d = new CliCapture();
    assertThat(d.run("train", "--resume", "--out", foreign.toString())).isEqualTo(2);
    assertThat(d.err.toString()).contains(foreign + " has no config.yaml");
    try (var files = Files.list(foreign)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("precious.txt");
    }
  }

  /**
   * A loss that turns NaN stops the run with one line saying where and what to try, and exit code
   * 2.
   */
  @Test
  void aNonFiniteLossIsOneClearLine(@TempDir Path dir) {
    CliCapture c = new CliCapture();
    assertThat(
            c.run(
                args(
                    new String[] {
                      "train", "--out", dir.resolve("r").toString(), "--set", "optimizer.lr=1e30"
                    },
                    TINY)))
        .isEqualTo(2);
    String err = c.err.toString();
    assertThat(err)
        .containsPattern(
            "qmargin train: error: training stopped at step \\d+: the loss is (NaN|-?Infinity) "
                + "\\(.+\\); lower optimizer.lr or lengthen schedule.warmup_epochs and train again \\(last checkpoint: ")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
  }
}
