package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qmargin.io.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = QmarginCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path scoreFile(String name, double shift, long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder("# score label\n");
    for (int i = 0; i < 3000; i++) {
      boolean t = i % 10 == 0;
      sb.append(
          String.format(
              java.util.Locale.ROOT,
              "%.5f %s%n",
              (t ? shift : 0) + r.nextDouble() * 2,
              t ? "target" : "nontarget"));
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  @Test
  void helpOfEveryCommand() {
    for (String c : new String[] {"scores", "trials", "lfw", "ijb", "compare"}) {
      Run r = run("eval", c, "--help");
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("Usage: qmargin eval " + c);
    }
    assertThat(run("bench", "eval", "--help").out()).contains("--scores");
  }

  @Test
  void scoresCommandWritesEverything() throws Exception {
    Path f = scoreFile("sys.txt", 1.0, 1);
    Path out = dir.resolve("out");
    Run r =
        run(
            "eval",
            "scores",
            f.toString(),
            "--out",
            out.toString(),
            "--far",
            "1e-3,1e-2",
            "--p-target",
            "0.01");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("sys: 300 target / 2700 non-target trials").contains("EER");
    JsonNode j = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertThat(j.get("tar_at_far").has("0.001")).isTrue();
    assertThat(j.get("min_dcf").has("0.01")).isTrue();
    assertThat(out.resolve("det.png")).exists();
    assertThat(out.resolve("report.md")).exists();
  }

  @Test
  void streamingModeMatchesInMemory() throws Exception {
    Path f = scoreFile("s.txt", 0.7, 4);
    assertThat(run("eval", "scores", f.toString(), "--out", dir.resolve("a").toString()).code())
        .isZero();
    assertThat(
            run(
                    "eval",
                    "scores",
                    f.toString(),
                    "--out",
                    dir.resolve("b").toString(),
                    "--streaming",
                    "--chunk-scores",
                    "500")
                .code())
        .isZero();
    JsonNode a = new ObjectMapper().readTree(dir.resolve("a/metrics.json").toFile());
    JsonNode b = new ObjectMapper().readTree(dir.resolve("b/metrics.json").toFile());
    assertThat(b).isEqualTo(a);
  }

  @Test
  void reportFilesAppearTogetherOrNotAtAll() throws Exception {
    Path f = scoreFile("s.txt", 0.7, 4);
    Path out = dir.resolve("out");
    // a later output (the ROC plot) cannot be written: a folder holds its name
    Files.createDirectories(out.resolve("roc.png/x"));
    Run r = run("eval", "scores", f.toString(), "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("roc.png").contains("is a folder");
    assertThat(out.resolve("metrics.json")).doesNotExist();
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("roc.png");
    }
  }

  @Test
  void badInputExitsWithFileAndLine() throws Exception {
    Path f = dir.resolve("bad.txt");
    Files.writeString(f, "0.1 1\n0.2 0\n0.3 maybe\n");
    Run r = run("eval", "scores", f.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(f + ":3: label 'maybe' is not one of 1/0/target/nontarget");
    assertThat(dir.resolve("o/metrics.json")).doesNotExist();
    Files.writeString(f, "");
    r = run("eval", "scores", f.toString(), "--out", dir.resolve("o").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no scores (empty file?)");
  }

  @Test
  void compareDirectoriesAndFiles() throws Exception {
    Path a = scoreFile("a.txt", 1.0, 2);
    Path b = scoreFile("b.txt", 0.5, 3);
    assertThat(run("eval", "scores", a.toString(), "--out", dir.resolve("ra").toString()).code())
        .isZero();
    Run r =
        run(
            "eval",
            "compare",
            "first=" + dir.resolve("ra"),
            "second=" + b,
            "--out",
            dir.resolve("cmp").toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(dir.resolve("cmp/metrics.json").toFile());
    assertThat(j.get("systems").has("first")).isTrue();
    assertThat(j.get("systems").has("second")).isTrue();
    assertThat(dir.resolve("cmp/roc.png")).exists();
  }

  @Test
  void compareRefusesAMetricThatIsNotANumberNamingFileAndKey() throws Exception {
    Path a = scoreFile("a.txt", 1.0, 2);
    Path b = scoreFile("b.txt", 0.5, 3);
    Path ra = dir.resolve("ra");
    assertThat(run("eval", "scores", a.toString(), "--out", ra.toString()).code()).isZero();
    Path json = ra.resolve("metrics.json");
    String original = Files.readString(json);
    Files.writeString(json, original.replaceFirst("\"eer\" : [^,]+,", "\"eer\" : \"lots\","));
    Run r =
        run(
            "eval",
            "compare",
            "first=" + ra,
            "second=" + b,
            "--out",
            dir.resolve("cmp").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(json + ": 'eer' must be a number, got '\"lots\"'");
    Files.writeString(json, original.replaceFirst("\"targets\" : \\d+", "\"targets\" : \"many\""));
    r =
        run(
            "eval",
            "compare",
            "first=" + ra,
            "second=" + b,
            "--out",
            dir.resolve("cmp").toString());
    assertThat(r.err()).contains(json + ": 'targets' must be a count");
  }

  @Test
  void keysContainingHashAreKeysNotComments() throws Exception {
    // three unit embeddings: a#1 and a#2 close (cosine 0.8), b#1 orthogonal to a#1
    Npy.writeFloat32(dir.resolve("e.npy"), new float[] {1, 0, 0.8f, 0.6f, 0, 1}, 3, 2);
    Files.writeString(
        dir.resolve("keys.txt"),
        "spk#a/1.wav\nspk#a/2.wav\nspk#b/1.wav  # comment after a space\n");
    Files.writeString(
        dir.resolve("trials.txt"), "1 spk#a/1.wav spk#a/2.wav\n0 spk#a/1.wav spk#b/1.wav\n");
    Run r =
        run(
            "eval",
            "trials",
            dir.resolve("trials.txt").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--out",
            dir.resolve("t").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 target / 1 non-target trials");
    assertThat(Files.readString(dir.resolve("t/scores.txt")))
        .contains("spk#a/1.wav spk#a/2.wav 0.8");
  }

  @Test
  void trialsFromEmbeddingsWithAsNorm() throws Exception {
    SplittableRandom r = new SplittableRandom(8);
    int n = 40;
    int d = 16;
    float[] e = new float[n * d];
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < n; i++) {
      keys.append("spk").append(i / 4).append("/utt").append(i).append('\n');
      for (int k = 0; k < d; k++) {
        e[i * d + k] = (float) ((k == (i / 4) % d ? 2 : 0) + r.nextDouble(-1, 1));
      }
    }
    float[] c = new float[30 * d];
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) r.nextDouble(-1, 1);
    }
    Npy.writeFloat32(dir.resolve("e.npy"), e, n, d);
    Npy.writeFloat32(dir.resolve("c.npy"), c, 30, d);
    Files.writeString(dir.resolve("keys.txt"), keys.toString());
    StringBuilder trials = new StringBuilder();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        trials
            .append(i / 4 == j / 4 ? 1 : 0)
            .append(" spk")
            .append(i / 4)
            .append("/utt")
            .append(i)
            .append(" spk")
            .append(j / 4)
            .append("/utt")
            .append(j)
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("trials.txt"), trials.toString());
    Run plain =
        run(
            "eval",
            "trials",
            dir.resolve("trials.txt").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--out",
            dir.resolve("t1").toString());
    assertThat(plain.code()).as(plain.err()).isZero();
    assertThat(Files.readAllLines(dir.resolve("t1/scores.txt"))).hasSize(n * (n - 1) / 2);
    Run as =
        run(
            "eval",
            "trials",
            dir.resolve("trials.txt").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--out",
            dir.resolve("t2").toString(),
            "--norm",
            "as",
            "--cohort",
            dir.resolve("c.npy").toString(),
            "--top-n",
            "10");
    assertThat(as.code()).as(as.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(dir.resolve("t2/metrics.json").toFile());
    assertThat(j.get("score_norm").asText()).isEqualTo("as-norm");
    // the score file written by the first run can be evaluated again with --scores
    Run again =
        run(
            "eval",
            "trials",
            dir.resolve("trials.txt").toString(),
            "--scores",
            dir.resolve("t1/scores.txt").toString(),
            "--out",
            dir.resolve("t3").toString());
    assertThat(again.code()).as(again.err()).isZero();
    JsonNode j1 = new ObjectMapper().readTree(dir.resolve("t1/metrics.json").toFile());
    JsonNode j3 = new ObjectMapper().readTree(dir.resolve("t3/metrics.json").toFile());
    assertThat(j3.get("eer").asDouble()).isEqualTo(j1.get("eer").asDouble());
    // unknown id in the trial list
    Files.writeString(dir.resolve("bad.txt"), "1 spk0/utt0 spk0/utt1\n0 spk0/utt0 nobody\n");
    Run bad =
        run(
            "eval",
            "trials",
            dir.resolve("bad.txt").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--out",
            dir.resolve("t4").toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains(dir.resolve("bad.txt") + ":2: unknown id 'nobody'");
  }

  /**
   * A tiny LFW folder: people P_A..P_F with two images each; the run trains on P_A, P_B, P_C and
   * validates on a one-fold pairs file of 2 matched + 2 mismatched pairs, two of which involve P_A
   * (1 of the 4 pair identities A, D, E, F). Both train and eval lfw --trained-on warn with these
   * counts, and both lead with the k-fold accuracy (2 folds of consecutive pairs, as the file has
   * one fold).
   */
  @Test
  void trainAndEvalLfwWarnWhenPairsInvolveTrainingIdentities() throws Exception {
    Path lfw = dir.resolve("lfw");
    String[] people = {"P_A", "P_B", "P_C", "P_D", "P_E", "P_F"};
    for (int p = 0; p < people.length; p++) {
      Files.createDirectories(lfw.resolve("lfw-deepfunneled").resolve(people[p]));
      for (int k = 1; k <= 2; k++) {
        java.awt.image.BufferedImage img =
            new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 40; y++) {
          for (int x = 0; x < 40; x++) {
            img.setRGB(
                x, y, ((x * (p + 1) * 6) & 0xff) << 16 | ((y * 5 + k * 20) & 0xff) << 8 | (p * 40));
          }
        }
        javax.imageio.ImageIO.write(
            img,
            "jpg",
            lfw.resolve("lfw-deepfunneled")
                .resolve(people[p])
                .resolve(String.format("%s_%04d.jpg", people[p], k))
                .toFile());
      }
    }
    Files.writeString(lfw.resolve("peopleDevTrain.txt"), "3\nP_A\t2\nP_B\t2\nP_C\t2\n");
    Files.writeString(lfw.resolve("peopleDevTest.txt"), "3\nP_D\t2\nP_E\t2\nP_F\t2\n");
    Path pairs = lfw.resolve("pairs.txt");
    Files.writeString(pairs, "2\nP_A 1 2\nP_D 1 2\nP_A 1 P_D 1\nP_E 1 P_F 2\n");
    Path run = dir.resolve("run");
    CliCapture train = new CliCapture();
    int code =
        train.run(
            "train",
            "--out",
            run.toString(),
            "--set",
            "data.type=lfw",
            "--set",
            "data.path=" + lfw,
            "--set",
            "data.crop=0",
            "--set",
            "data.image_size=32",
            "--set",
            "model.embedding_dim=16",
            "--set",
            "batch_size=6",
            "--set",
            "schedule.epochs=1",
            "--set",
            "validation.type=lfw",
            "--set",
            "validation.path=pairs.txt");
    assertThat(code).as(train.err.toString()).isZero();
    assertThat(train.err.toString())
        .contains(
            "warning: 2 of the 4 pairs of LFW pairs.txt (4 pairs) (1 of its 4 identities) "
                + "involve identities this run trains on: its figures are not held-out");
    assertThat(train.err.toString() + train.out)
        .containsPattern(
            "LFW pairs.txt \\(4 pairs\\): 2-fold accuracy \\d+\\.\\d\\d% \\+- \\d+\\.\\d\\d%, EER");
    assertThat(Files.readAllLines(run.resolve("identities.txt")))
        .containsExactly("P_A", "P_B", "P_C");

    CliCapture embed = new CliCapture();
    assertThat(
            embed.run(
                "embed",
                "--model",
                run.toString(),
                "--images",
                lfw.resolve("lfw-deepfunneled").toString(),
                "--out",
                dir.resolve("e.npy").toString(),
                "--keys",
                dir.resolve("k.txt").toString()))
        .as(embed.err.toString())
        .isZero();
    Run eval =
        run(
            "eval",
            "lfw",
            "--pairs",
            pairs.toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("k.txt").toString(),
            "--trained-on",
            run.toString(),
            "--out",
            dir.resolve("ev").toString());
    assertThat(eval.code()).as(eval.err()).isZero();
    assertThat(eval.err())
        .contains(
            "warning: 2 of the 4 pairs of "
                + pairs
                + " (1 of its 4 identities) involve identities the run "
                + run
                + " trained on: its figures are not held-out");
    assertThat(eval.out().lines().findFirst().orElseThrow())
        .matches(
            "LFW 2-fold accuracy \\d+\\.\\d\\d% \\+- \\d+\\.\\d\\d% \\(folds of consecutive pairs: the file has one fold\\)");
    // a people file as the list of training identities: P_D, P_E, P_F are in 3 of the 4 pairs
    Run clean =
        run(
            "eval",
            "lfw",
            "--pairs",
            pairs.toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("k.txt").toString(),
            "--trained-on",
            lfw.resolve("peopleDevTest.txt").toString(),
            "--out",
            dir.resolve("ev2").toString());
    assertThat(clean.code()).as(clean.err()).isZero();
    assertThat(clean.err())
        .contains("warning: 3 of the 4 pairs")
        .contains("listed in " + lfw.resolve("peopleDevTest.txt"));
  }

  /**
   * The same trials as a 'score label' file and as a wespeaker 'enroll test score target|nontarget'
   * file.
   */
  @Test
  void wespeakerScoreFilesInScoresTrialsAndCompare() throws Exception {
    Path plain = scoreFile("plain.txt", 1.0, 5);
    StringBuilder w = new StringBuilder();
    StringBuilder kaldi = new StringBuilder();
    int i = 0;
    for (String line : Files.readAllLines(plain)) {
      if (line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(" ");
      w.append("e")
          .append(i)
          .append(" t")
          .append(i)
          .append(' ')
          .append(f[0])
          .append(' ')
          .append(f[1])
          .append('\n');
      kaldi.append("e").append(i).append(" t").append(i).append(' ').append(f[1]).append('\n');
      i++;
    }
    Path wes = dir.resolve("wespeaker.txt");
    Files.writeString(wes, w.toString());
    Path trials = dir.resolve("trials.kaldi");
    Files.writeString(trials, kaldi.toString());
    assertThat(run("eval", "scores", plain.toString(), "--out", dir.resolve("p").toString()).code())
        .isZero();
    Run r = run("eval", "scores", wes.toString(), "--out", dir.resolve("w").toString());
    assertThat(r.code()).as(r.err()).isZero();
    Run streaming =
        run(
            "eval",
            "scores",
            wes.toString(),
            "--streaming",
            "--chunk-scores",
            "700",
            "--out",
            dir.resolve("ws").toString());
    assertThat(streaming.code()).as(streaming.err()).isZero();
    Run t =
        run(
            "eval",
            "trials",
            trials.toString(),
            "--scores",
            wes.toString(),
            "--out",
            dir.resolve("t").toString());
    assertThat(t.code()).as(t.err()).isZero();
    Run c =
        run(
            "eval",
            "compare",
            "plain=" + plain,
            "wes=" + wes,
            "--out",
            dir.resolve("c").toString());
    assertThat(c.code()).as(c.err()).isZero();
    ObjectMapper om = new ObjectMapper();
    JsonNode p = om.readTree(dir.resolve("p/metrics.json").toFile());
    for (JsonNode other :
        new JsonNode[] {
          om.readTree(dir.resolve("w/metrics.json").toFile()),
          om.readTree(dir.resolve("ws/metrics.json").toFile()),
          om.readTree(dir.resolve("t/metrics.json").toFile()),
          om.readTree(dir.resolve("c/metrics.json").toFile()).get("systems").get("wes")
        }) {
      assertThat(other.get("targets").asLong()).isEqualTo(300);
      assertThat(other.get("eer").asDouble()).isEqualTo(p.get("eer").asDouble());
      assertThat(other.get("auc").asDouble()).isEqualTo(p.get("auc").asDouble());
    }
    // a malformed line: one clear line naming file:line, for every command that reads the file
    Files.writeString(wes, w + "e9 t9 0.5\n");
    for (String[] args :
        new String[][] {
          {"eval", "scores", wes.toString()}, {"eval", "compare", plain.toString(), wes.toString()}
        }) {
      Run bad = run(concat(args, "--out", dir.resolve("bad").toString()));
      assertThat(bad.code()).isEqualTo(2);
      assertThat(bad.err())
          .contains(
              wes
                  + ":3001: expected 4 fields 'enroll test score target|nontarget' as on the file's first line, got 3")
          .doesNotContain("Exception");
    }
    Run bad =
        run(
            "eval",
            "trials",
            trials.toString(),
            "--scores",
            wes.toString(),
            "--out",
            dir.resolve("bad").toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err())
        .contains(wes + ":3001: expected 4 fields as on the file's first line, got 3");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * --subtract-mean against a hand computation: 2-d embeddings a = (3, 1), b = (1, 3), c = (2, -1),
   * mean file m = (2, 1): a - m = (1, 0), b - m = (-1, 2), c - m = (0, -2), so cos(a, b) =
   * -1/sqrt(5), cos(a, c) = 0, cos(b, c) = -2/sqrt(5). With the cohort's mean and S-norm, the
   * reference below is computed directly from the definitions.
   */
  @Test
  void trialsWithSubtractedMean() throws Exception {
    Npy.writeFloat32(dir.resolve("e.npy"), new float[] {3, 1, 1, 3, 2, -1}, 3, 2);
    Files.writeString(dir.resolve("keys.txt"), "a\nb\nc\n");
    Files.writeString(dir.resolve("t.kaldi"), "a b target\na c nontarget\nb c nontarget\n");
    Npy.writeFloat64(dir.resolve("m.npy"), new double[] {2, 1}, 2);
    Run r =
        run(
            "eval",
            "trials",
            dir.resolve("t.kaldi").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--subtract-mean",
            dir.resolve("m.npy").toString(),
            "--out",
            dir.resolve("o1").toString());
    assertThat(r.code()).as(r.err()).isZero();
    double[] s = scoresOf(dir.resolve("o1/scores.txt"));
    assertThat(s[0]).isCloseTo(-1 / Math.sqrt(5), org.assertj.core.api.Assertions.within(1e-6));
    assertThat(s[1]).isCloseTo(0, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(s[2]).isCloseTo(-2 / Math.sqrt(5), org.assertj.core.api.Assertions.within(1e-6));

    double[][] e = {{3, 1}, {1, 3}, {2, -1}};
    double[][] coh = {{1, 0}, {0, 2}, {-1, -1}, {4, 1}};
    Npy.writeFloat32(dir.resolve("c.npy"), new float[] {1, 0, 0, 2, -1, -1, 4, 1}, 4, 2);
    Run sn =
        run(
            "eval",
            "trials",
            dir.resolve("t.kaldi").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--subtract-mean",
            "cohort",
            "--cohort",
            dir.resolve("c.npy").toString(),
            "--norm",
            "s",
            "--out",
            dir.resolve("o2").toString());
    assertThat(sn.code()).as(sn.err()).isZero();
    double[] mean = {(1 + 0 - 1 + 4) / 4.0, (0 + 2 - 1 + 1) / 4.0};
    int[][] pairs = {{0, 1}, {0, 2}, {1, 2}};
    double[] got = scoresOf(dir.resolve("o2/scores.txt"));
    for (int k = 0; k < 3; k++) {
      double[] x = minus(e[pairs[k][0]], mean);
      double[] y = minus(e[pairs[k][1]], mean);
      double raw = cos(x, y);
      double expected = 0.5 * (zScore(raw, x, coh, mean) + zScore(raw, y, coh, mean));
      assertThat(got[k]).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-5));
    }
    JsonNode j = new ObjectMapper().readTree(dir.resolve("o2/metrics.json").toFile());
    assertThat(j.get("subtract_mean").asText()).startsWith("cohort mean");

    Run noCohort =
        run(
            "eval",
            "trials",
            dir.resolve("t.kaldi").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--subtract-mean",
            "cohort",
            "--out",
            dir.resolve("o3").toString());
    assertThat(noCohort.code()).isEqualTo(2);
    assertThat(noCohort.err()).contains("--subtract-mean cohort needs --cohort");
  }

  private static double[] scoresOf(Path file) throws Exception {
    return Files.readAllLines(file).stream()
        .mapToDouble(l -> Double.parseDouble(l.split(" ")[2]))
        .toArray();
  }

  private static double[] minus(double[] a, double[] m) {
    return new double[] {a[0] - m[0], a[1] - m[1]};
  }

  private static double cos(double[] a, double[] b) {
    return (a[0] * b[0] + a[1] * b[1]) / Math.hypot(a[0], a[1]) / Math.hypot(b[0], b[1]);
  }

  /** (s - mean) / population sd of the cosines of x against the mean-subtracted cohort. */
  private static double zScore(double s, double[] x, double[][] cohort, double[] mean) {
    double[] c = new double[cohort.length];
    double mu = 0;
    for (int i = 0; i < c.length; i++) {
      c[i] = cos(x, minus(cohort[i], mean));
      mu += c[i] / c.length;
    }
    double v = 0;
    for (double ci : c) {
      v += (ci - mu) * (ci - mu) / c.length;
    }
    return (s - mu) / Math.sqrt(v);
  }

  @Test
  void ijbCommandOnHandMadeMetaFiles() throws Exception {
    // 4 templates of 2 identities, 2 images each, 3-d features
    StringBuilder ftm = new StringBuilder();
    StringBuilder lm = new StringBuilder();
    float[] f = new float[8 * 6];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 8; i++) {
      int template = i / 2 + 1;
      int identity = (template - 1) / 2;
      ftm.append(i).append(".jpg ").append(template).append(' ').append(100 + i).append('\n');
      lm.append(i).append(".jpg 1 1 1 1 1 1 1 1 1 1 0.9\n");
      for (int k = 0; k < 3; k++) {
        f[i * 6 + k] = (float) ((k == identity ? 3 : 0) + r.nextDouble(-0.5, 0.5));
        f[i * 6 + 3 + k] = f[i * 6 + k]; // flipped half
      }
    }
    Files.writeString(dir.resolve("ijbc_face_tid_mid.txt"), ftm.toString());
    Files.writeString(dir.resolve("ijbc_name_5pts_score.txt"), lm.toString());
    Files.writeString(
        dir.resolve("ijbc_template_pair_label.txt"), "1 2 1\n3 4 1\n1 3 0\n1 4 0\n2 3 0\n2 4 0\n");
    Npy.writeFloat32(dir.resolve("feats.npy"), f, 8, 6);
    Run run =
        run(
            "eval",
            "ijb",
            "--meta",
            dir.toString(),
            "--embeddings",
            dir.resolve("feats.npy").toString(),
            "--flip-concatenated",
            "--detector-weighting",
            "--out",
            dir.resolve("ijb").toString());
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(dir.resolve("ijb/metrics.json").toFile());
    assertThat(j.get("targets").asLong()).isEqualTo(2);
    assertThat(j.get("nontargets").asLong()).isEqualTo(4);
    assertThat(j.get("eer").asDouble()).isZero();
    assertThat(j.get("templates").asInt()).isEqualTo(4);
    assertThat(Npy.read(dir.resolve("ijb/scores.npy")).size()).isEqualTo(6);
  }

  @Test
  void lfwCommand() throws Exception {
    StringBuilder pairs = new StringBuilder("2 2\n");
    for (int fold = 0; fold < 2; fold++) {
      pairs.append("P").append(fold).append(" 1 2\n").append("Q").append(fold).append(" 1 2\n");
      pairs
          .append("P")
          .append(fold)
          .append(" 1 Q")
          .append(fold)
          .append(" 1\n")
          .append("P")
          .append(fold)
          .append(" 2 Q")
          .append(fold)
          .append(" 2\n");
    }
    Files.writeString(dir.resolve("pairs.txt"), pairs.toString());
    StringBuilder keys = new StringBuilder();
    float[] e = new float[8 * 2];
    int row = 0;
    for (int fold = 0; fold < 2; fold++) {
      for (String name : new String[] {"P", "Q"}) {
        for (int k = 1; k <= 2; k++) {
          keys.append(name)
              .append(fold)
              .append('/')
              .append(name)
              .append(fold)
              .append(String.format("_%04d.jpg%n", k));
          double angle = (name.equals("P") ? 0 : 90) + 5 * k;
          e[row * 2] = (float) Math.cos(Math.toRadians(angle));
          e[row * 2 + 1] = (float) Math.sin(Math.toRadians(angle));
          row++;
        }
      }
    }
    Files.writeString(dir.resolve("keys.txt"), keys.toString());
    Npy.writeFloat32(dir.resolve("e.npy"), e, 8, 2);
    Run r =
        run(
            "eval",
            "lfw",
            "--pairs",
            dir.resolve("pairs.txt").toString(),
            "--embeddings",
            dir.resolve("e.npy").toString(),
            "--keys",
            dir.resolve("keys.txt").toString(),
            "--out",
            dir.resolve("lfw").toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(dir.resolve("lfw/metrics.json").toFile());
    assertThat(j.get("lfw_accuracy").asDouble()).isEqualTo(1.0);
    assertThat(j.get("lfw_fold_accuracy").size()).isEqualTo(2);
    // the accuracy leads, in percent, on the console and in the report
    assertThat(r.out().lines().findFirst().orElseThrow())
        .isEqualTo("LFW 2-fold accuracy 100.00% +- 0.00%");
    assertThat(Files.readAllLines(dir.resolve("lfw/report.md")).subList(0, 3))
        .containsExactly(
            "# Verification report: LFW", "", "**LFW 2-fold accuracy 100.00% +- 0.00%**");
  }
}
