package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.Reference;
import io.qmargin.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PosteriorCommandTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = QmarginCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void writesLossPosteriorGradientAndSupportReadableByNumpy() throws IOException {
    // sparsemax:s=1 on (0.9, 0.4, -0.9), y = 1: p = (0.75, 0.25, 0), loss 0.5625 (see
    // VerificationLossTest);
    // second row (0.1, 0.8, 0.0), y = 1: 1 + 3·0.0 = 1 > 0.9, so all three are in the support,
    // τ = (0.9 − 1)/3 and p = (0.1333, 0.8333, 0.0333); checked against sorting-based sparsemax.
    Npy.writeFloat32(dir.resolve("c.npy"), new float[] {0.9f, 0.4f, -0.9f, 0.1f, 0.8f, 0.0f}, 2, 3);
    Npy.writeInt64(dir.resolve("y.npy"), new long[] {1, 1}, 2);
    Run r =
        run(
            "posterior",
            "--loss",
            "sparsemax:s=1",
            "--cosines",
            dir.resolve("c.npy").toString(),
            "--labels",
            dir.resolve("y.npy").toString(),
            "--out",
            dir.resolve("out").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("mean loss").contains("support size").contains("p_y = 0");
    double[] loss = Npy.read(dir.resolve("out/loss.npy")).toDoubles();
    double[] p = Npy.read(dir.resolve("out/posterior.npy")).requireRank(2, "p").toDoubles();
    double[] g = Npy.read(dir.resolve("out/grad.npy")).toDoubles();
    long[] support = Npy.read(dir.resolve("out/support.npy")).toLongs();
    assertThat(loss[0]).isCloseTo(0.5625, within(1e-6));
    assertThat(new double[] {p[0], p[1], p[2]})
        .containsExactly(new double[] {0.75, 0.25, 0}, within(1e-6));
    double[] ref = Reference.sparsemax(new double[] {(double) 0.1f, (double) 0.8f, 0});
    assertThat(new double[] {p[3], p[4], p[5]}).containsExactly(ref, within(1e-6));
    assertThat(new double[] {g[3], g[4], g[5]})
        .containsExactly(new double[] {ref[0], ref[1] - 1, ref[2]}, within(1e-6));
    assertThat(support).containsExactly(2, 3);
  }

  @Test
  void rejectsBadInputsNamingTheFile() throws IOException {
    Path c = dir.resolve("c.npy");
    Path y = dir.resolve("y.npy");
    Npy.writeFloat32(c, new float[] {0.5f, 1.5f}, 1, 2);
    Npy.writeInt32(y, new int[] {0}, 1);
    Run bad =
        run(
            "posterior",
            "--loss",
            "qmargin",
            "--cosines",
            c.toString(),
            "--labels",
            y.toString(),
            "--out",
            dir.toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("c.npy").contains("row 0, column 1").contains("|cos| > 1");

    Npy.writeFloat32(c, new float[] {0.5f, Float.NaN}, 1, 2);
    assertThat(
            run(
                    "posterior",
                    "--loss",
                    "qmargin",
                    "--cosines",
                    c.toString(),
                    "--labels",
                    y.toString(),
                    "--out",
                    dir.toString())
                .err())
        .contains("not a finite number");

    Npy.writeFloat32(c, new float[] {0.5f, 0.1f}, 1, 2);
    Npy.writeInt32(y, new int[] {2}, 1);
    assertThat(
            run(
                    "posterior",
                    "--loss",
                    "qmargin",
                    "--cosines",
                    c.toString(),
                    "--labels",
                    y.toString(),
                    "--out",
                    dir.toString())
                .err())
        .contains("y.npy")
        .contains("label 2 at row 0 is out of range [0, 2)");

    Npy.writeFloat32(y, new float[] {0}, 1);
    assertThat(
            run(
                    "posterior",
                    "--loss",
                    "qmargin",
                    "--cosines",
                    c.toString(),
                    "--labels",
                    y.toString(),
                    "--out",
                    dir.toString())
                .err())
        .contains("labels must be int32 or int64");

    Npy.writeInt32(y, new int[] {0, 1}, 2);
    assertThat(
            run(
                    "posterior",
                    "--loss",
                    "qmargin",
                    "--cosines",
                    c.toString(),
                    "--labels",
                    y.toString(),
                    "--out",
                    dir.toString())
                .err())
        .contains("2 labels for 1 rows");

    Npy.writeInt32(y, new int[] {0}, 1);
    Run spec =
        run(
            "posterior",
            "--loss",
            "qmargin:alpha=0.5",
            "--cosines",
            c.toString(),
            "--labels",
            y.toString(),
            "--out",
            dir.toString());
    assertThat(spec.exit()).isEqualTo(2);
    assertThat(spec.err()).contains("alpha must be in [1, 10]");
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] args :
        new String[][] {
          {"--help"},
          {"demo", "--help"},
          {"losses", "--help"},
          {"train", "--help"},
          {"posterior", "--help"},
          {"bench", "--help"},
          {"bench", "operator", "--help"}
        }) {
      Run r = run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).contains("Usage:");
    }
    assertThat(run("posterior", "--help").out()).contains("qmargin:", "arcface", "defaults:");
  }

  @Test
  void lossTablePrintsEveryLoss() {
    Run r = run("losses", "--rows", "32", "--classes", "500");
    assertThat(r.exit()).as(r.err()).isZero();
    for (String name :
        new String[] {
          "normface", "cosface", "arcface", "combined", "entmax", "sparsemax", "qmargin", "a3m"
        }) {
      assertThat(r.out()).contains(name + ":");
    }
    assertThat(r.out()).contains("mean support").contains("p_y = 0");
  }

  @Test
  void outputsAppearTogetherOrNotAtAll() throws IOException {
    Npy.writeFloat32(dir.resolve("c.npy"), new float[] {0.9f, 0.4f, -0.9f}, 1, 3);
    Npy.writeInt64(dir.resolve("y.npy"), new long[] {1}, 1);
    Path out = dir.resolve("out");
    // the last of the four outputs cannot be written: a folder holds its name
    java.nio.file.Files.createDirectories(out.resolve("support.npy/x"));
    Run r =
        run(
            "posterior",
            "--loss",
            "sparsemax:s=1",
            "--cosines",
            dir.resolve("c.npy").toString(),
            "--labels",
            dir.resolve("y.npy").toString(),
            "--out",
            out.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("support.npy").contains("is a folder").doesNotContain("\tat ");
    try (var files = java.nio.file.Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("support.npy");
    }
  }

  @Test
  void aLossBeyondFloat32IsRefusedNamingTheLimitInsteadOfNaN() throws IOException {
    Npy.writeFloat32(dir.resolve("c.npy"), new float[] {0.9f, 0.4f, -0.9f, 0.1f}, 1, 4);
    Npy.writeInt64(dir.resolve("y.npy"), new long[] {1}, 1);
    Run r =
        run(
            "posterior",
            "--loss",
            "qmargin:alpha=1.25,s=2000,m=0.2",
            "--cosines",
            dir.resolve("c.npy").toString(),
            "--labels",
            dir.resolve("y.npy").toString(),
            "--out",
            dir.resolve("out").toString());
    assertThat(r.exit()).as(r.out()).isEqualTo(2);
    assertThat(r.err()).contains("float32").contains("keep s below 1731");
    assertThat(dir.resolve("out/loss.npy")).doesNotExist();
  }
}
