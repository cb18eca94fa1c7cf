package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.Json;
import io.qmargin.train.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qmargin train --seeds and demo --seeds: one run per seed, spreads, pooled differences, resume.
 */
class SeedsCommandsTest {
  private static final List<String> TINY =
      List.of(
          "--set", "data.identities=12",
          "--set", "data.samples_per_identity=4",
          "--set", "data.image_size=32",
          "--set", "model.embedding_dim=16",
          "--set", "batch_size=16",
          "--set", "schedule.epochs=1",
          "--set", "validation.identities=6",
          "--set", "validation.samples_per_identity=3");

  private static String[] args(List<String> head) {
    List<String> a = new ArrayList<>(head);
    a.addAll(TINY);
    return a.toArray(String[]::new);
  }

  private static JsonNode json(Path file) throws Exception {
    return Json.mapper().readTree(file.toFile());
  }

  @Test
  void aSeedCountBelowOneIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
    Path out = dir.resolve("o");
    for (String command : new String[] {"train", "demo"}) {
      CliCapture c = new CliCapture();
      assertThat(c.run(command, "--seeds", "0", "--out", out.toString())).isEqualTo(2);
      assertThat(c.err.toString().strip()).endsWith("--seeds must be >= 1, got 0");
      assertThat(out).doesNotExist();
    }
    CliCapture b = new CliCapture();
    assertThat(b.run("demo", "--bootstrap", "0", "--out", out.toString())).isEqualTo(2);
    assertThat(b.err.toString().strip()).endsWith("--bootstrap must be >= 1, got 0");
  }

  @Test
  void trainOverSeedsReportsMeanAndSdAndResumesTheUnfinishedSeed(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("runs");
    CliCapture c = new CliCapture();
    int code =
        c.run(args(List.of("train", "--seeds", "2", "--set", "seed=7", "--out", out.toString())));
    assertThat(code).as(c.err.toString()).isZero();
    assertThat(c.out.toString())
        .contains("seed 7: trained", "seed 8: trained", "over 2 seeds (7, 8)");
    double[] eer = new double[2];
    for (int k = 0; k < 2; k++) {
      JsonNode r = json(out.resolve("seed-" + (7 + k)).resolve("results.json"));
      eer[k] = r.get("validation").get(0).get("eer").asDouble();
    }
    JsonNode summary = json(out.resolve("results.json")).get("validation").get(0).get("EER");
    // two values: mean (a + b) / 2, sample sd |a - b| / sqrt(2)
    assertThat(summary.get("mean").asDouble()).isCloseTo((eer[0] + eer[1]) / 2, within(1e-15));
    assertThat(summary.get("sd").asDouble())
        .isCloseTo(Math.abs(eer[0] - eer[1]) / Math.sqrt(2), within(1e-15));
    assertThat(summary.get("min").asDouble()).isEqualTo(Math.min(eer[0], eer[1]));
    // the seeds' configs differ in their seed only
    assertThat(Files.readString(out.resolve("seed-8/config.yaml")))
        .isEqualTo(
            Files.readString(out.resolve("seed-7/config.yaml")).replace("seed: 7", "seed: 8"));
    // a crash during seed 8 (its folder gone): --resume leaves seed 7 and trains seed 8 again
    String before = Files.readString(out.resolve("results.json"));
    RunDirectory.deleteTree(out.resolve("seed-8"));
    CliCapture again = new CliCapture();
    assertThat(again.run("train", "--resume", "--out", out.toString()))
        .as(again.err.toString())
        .isZero();
    assertThat(again.out.toString()).contains("seed 7: finished earlier", "seed 8: trained");
    assertThat(Files.readString(out.resolve("results.json"))).isEqualTo(before);
    CliCapture both = new CliCapture();
    assertThat(both.run("train", "--resume", "--seeds", "2", "--out", out.toString())).isEqualTo(2);
    assertThat(both.err.toString()).contains("drop --seeds");
  }

  @Test
  void demoOverSeedsPoolsTheDifferencesAndResumes(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("demo");
    List<String> demo =
        List.of(
            "demo",
            "--synthetic",
            "--seeds",
            "2",
            "--bootstrap",
            "200",
            "--loss",
            "qmargin:alpha=1.25,s=35,m=0.2",
            "--loss",
            "arcface:s=64,m=0.5",
            "--out",
            out.toString());
    CliCapture c = new CliCapture();
    assertThat(c.run(args(demo))).as(c.err.toString()).isZero();
    JsonNode r = json(out.resolve("results.json"));
    assertThat(r.get("seeds").toString()).isEqualTo("[2026,2027]");
    for (String m : new String[] {"qmargin", "arcface"}) {
      JsonNode method = r.get("methods").get(m);
      double a = method.get("seeds").get(0).get("eer").asDouble();
      double b = method.get("seeds").get(1).get("eer").asDouble();
      assertThat(method.get("eer").asDouble()).isCloseTo((a + b) / 2, within(1e-15));
      assertThat(method.get("spread_over_seeds").get("EER").get("sd").asDouble())
          .isCloseTo(Math.abs(a - b) / Math.sqrt(2), within(1e-15));
      assertThat(out.resolve("seed-2027/runs/" + m + "/heldout-scores.npy")).exists();
    }
    JsonNode eer = null;
    for (JsonNode d : r.get("differences")) {
      if (d.get("metric").asText().equals("EER")) {
        eer = d;
      }
    }
    assertThat(eer.get("a").asText()).isEqualTo("qmargin");
    assertThat(eer.get("difference").asDouble())
        .isCloseTo(
            r.get("methods").get("arcface").get("eer").asDouble()
                - r.get("methods").get("qmargin").get("eer").asDouble(),
            within(1e-15));
    assertThat(eer.get("low").asDouble()).isLessThanOrEqualTo(eer.get("high").asDouble());
    // 18 held-out images, 135 impostors: FAR 1e-3 and 1e-4 are left out of the table, said once
    String table = c.out.toString();
    assertThat(table).doesNotContain("TAR@FAR=1e-3 %", "n/a");
    assertThat(table)
        .contains(
            "left out: TAR@FAR=1e-3 (needs >= 1,000 impostors), TAR@FAR=1e-4 (needs >= 10,000"
                + " impostors); there are 135 impostors",
            "mean±sd over 2 seeds (2026, 2027)",
            "arcface ");
    assertThat(Files.readString(out.resolve("report.md")))
        .contains(
            "## Differences between systems", "## Spread over seeds", "| arcface - qmargin |");
    // an interrupted demo: the last run never finished; --resume reads the others back
    String before = Files.readString(out.resolve("results.json"));
    RunDirectory.deleteTree(out.resolve("seed-2027/runs/arcface"));
    List<String> resume = new ArrayList<>(demo);
    resume.add("--resume");
    CliCapture again = new CliCapture();
    assertThat(again.run(args(resume))).as(again.err.toString()).isZero();
    assertThat(again.err.toString())
        .contains(
            "seed-2026/runs/qmargin is a finished run", "seed-2027/runs/qmargin is a finished");
    assertThat(Files.readString(out.resolve("results.json"))).isEqualTo(before);
  }
}
