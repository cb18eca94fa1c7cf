package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.OperatingPointFile;
import io.qmargin.serve.store.AuditEvent;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code qmargin demo serve} on a small recipe: the printed decisions are the API's (as its audit
 * log recorded them), genuine probes are accepted at a rate the calibrated TAR allows and impostors
 * at a rate the FAR allows.
 */
class DemoServeCommandTest {
  @TempDir Path dir;

  @Test
  void theRouteRunsAndPrintsTheDecisionsTheApiMade() throws Exception {
    Path out = dir.resolve("demo");
    StringWriter printed = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new DemoServeCommand());
    cl.setOut(new PrintWriter(printed, true));
    cl.setErr(new PrintWriter(err, true));
    int subjects = 6;
    int code =
        cl.execute(
            "--out", out.toString(),
            "--subjects", Integer.toString(subjects),
            "--set", "data.identities=20",
            "--set", "data.samples_per_identity=4",
            "--set", "data.image_size=32",
            "--set", "model.embedding_dim=32",
            "--set", "batch_size=16",
            "--set", "schedule.epochs=1",
            "--set", "validation.identities=20",
            "--set", "validation.samples_per_identity=4");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.resolve("OP.json")).exists();
    assertThat(out.resolve("eval").resolve("report.md")).exists();
    assertThat(out.resolve("runs").resolve("qmargin")).isDirectory();
    OperatingPoint op = OperatingPointFile.read(out.resolve("OP.json"));

    List<String[]> rows = new ArrayList<>();
    for (String line : printed.toString().split("\\R")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 7 && List.of("genuine", "impostor", "identify").contains(f[0])) {
        rows.add(f);
      }
    }
    assertThat(rows).hasSize(2 * subjects + 3);

    // the verify decisions as the server recorded them, oldest first
    List<AuditEvent> verifies = new ArrayList<>();
    try (TemplateStore store =
        TemplateStores.open(out.resolve("db").toString(), op.modelId(), 32)) {
      assertThat(store.count()).isEqualTo(subjects);
      for (AuditEvent e : store.recentAudit(1000)) {
        if (e.action().equals("verify")) {
          verifies.add(0, e);
        }
      }
    }
    assertThat(verifies).hasSize(2 * subjects);
    int genuineAccepted = 0;
    int impostorAccepted = 0;
    for (int i = 0; i < 2 * subjects; i++) {
      String[] row = rows.get(i);
      AuditEvent e = verifies.get(i);
      assertThat(row[1]).isEqualTo(e.subjectId());
      assertThat(Double.parseDouble(row[3])).isCloseTo(e.score(), within(5e-7));
      assertThat(Double.parseDouble(row[4])).isCloseTo(op.threshold(), within(5e-7));
      assertThat(row[5]).isEqualTo(e.accepted() ? "accept" : "reject");
      assertThat(e.accepted()).isEqualTo(e.score() >= op.threshold());
      boolean genuine = row[0].equals("genuine");
      assertThat(row[6]).isEqualTo(genuine ? "accept" : "reject");
      if (genuine) {
        genuineAccepted += e.accepted() ? 1 : 0;
      } else {
        impostorAccepted += e.accepted() ? 1 : 0;
      }
    }
    // each count is binomial(subjects, rate): it is outside these 0.1% tails at the calibrated TAR
    // (and at the FAR) with probability below 0.002
    assertThat(genuineAccepted).isGreaterThanOrEqualTo(lowerTail(subjects, op.tar(), 1e-3));
    assertThat(impostorAccepted)
        .isLessThanOrEqualTo(subjects - lowerTail(subjects, 1 - op.far(), 1e-3));
    assertThat(Files.readString(out.resolve("OP.json"))).contains(op.modelId());
  }

  /** The largest k with P(X < k) <= alpha for X ~ binomial(n, p). */
  static int lowerTail(int n, double p, double alpha) {
    double cdf = 0;
    for (int k = 0; k <= n; k++) {
      double pk = binom(n, k) * Math.pow(p, k) * Math.pow(1 - p, n - k);
      if (cdf + pk > alpha) {
        return k;
      }
      cdf += pk;
    }
    return n;
  }

  private static double binom(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
    }
    return c;
  }
}
