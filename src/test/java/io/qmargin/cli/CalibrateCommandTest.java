package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.serve.ModelFingerprint;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.OperatingPointFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {
  @TempDir Path dir;

  /** 4 genuine and 10 impostor scores; at FAR 0.1 the threshold is 0.7 (see CalibrationTest). */
  private Path scores() throws Exception {
    Path f = dir.resolve("scores.txt");
    StringBuilder sb = new StringBuilder();
    for (double g : new double[] {0.9, 0.8, 0.7, 0.4}) {
      sb.append(g).append(" 1\n");
    }
    for (double n : new double[] {0.85, 0.6, 0.5, 0.3, 0.2, 0.1, 0.0, -0.1, -0.2, -0.3}) {
      sb.append(n).append(" 0\n");
    }
    Files.writeString(f, sb);
    return f;
  }

  @Test
  void scoresGiveTheThresholdAndTheModelsFingerprint() throws Exception {
    Path model = dir.resolve("run/model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("model.json"), "{}");
    Files.write(model.resolve("backbone.params"), new byte[] {7});
    Path out = dir.resolve("op.json");
    CliCapture cli = new CliCapture();
    int code =
        cli.run(
            "calibrate",
            "--scores",
            scores().toString(),
            "--far",
            "0.1",
            "--model",
            dir.resolve("run").toString(),
            "--out",
            out.toString());
    assertThat(code).as(cli.err.toString()).isZero();
    OperatingPoint op = OperatingPointFile.read(out);
    assertThat(op.threshold()).isEqualTo(0.7);
    assertThat(op.tar()).isEqualTo(0.75);
    assertThat(op.impostors()).isEqualTo(10);
    assertThat(op.modelId()).isEqualTo(ModelFingerprint.of(dir.resolve("run")));
    assertThat(cli.out.toString())
        .contains("threshold 0.7 at FAR 0.1: TAR 75.00% [19.41%, 99.37%]");
  }

  @Test
  void anEvaluationDirectoryGivesTheSamePoint() throws Exception {
    Path eval = dir.resolve("eval");
    CliCapture e = new CliCapture();
    assertThat(
            e.run("eval", "scores", scores().toString(), "--far", "0.1", "--out", eval.toString()))
        .as(e.err.toString())
        .isZero();
    CliCapture cli = new CliCapture();
    Path out = dir.resolve("op.json");
    assertThat(
            cli.run(
                "calibrate", "--eval", eval.toString(), "--far", "0.1", "--out", out.toString()))
        .as(cli.err.toString())
        .isZero();
    OperatingPoint op = OperatingPointFile.read(out);
    assertThat(op.threshold()).isEqualTo(0.7);
    assertThat(op.tar()).isEqualTo(0.75);
    assertThat(op.modelId()).isNull();
    assertThat(op.source()).isEqualTo(eval.toString());
  }

  @Test
  void anUnresolvableFarIsOneClearLineAndNoFile() throws Exception {
    Path out = dir.resolve("op.json");
    CliCapture cli = new CliCapture();
    int code =
        cli.run(
            "calibrate", "--scores", scores().toString(), "--far", "1e-4", "--out", out.toString());
    assertThat(code).isEqualTo(2);
    assertThat(cli.err.toString().strip())
        .endsWith(
            "FAR 1e-4 cannot be resolved by 10 impostor scores: it needs at least 10000 (1/FAR)")
        .doesNotContain("Exception");
    assertThat(out).doesNotExist();
  }
}
