package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCompareBootstrapTest {
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

  /**
   * A keyed score file over 20 VoxCeleb-style subjects: 3 target trials per subject and 6
   * non-target trials against the next subjects; targets score {@code shift} + U(0, 1), impostors
   * U(0, 1). The trial list is the same for every seed; {@code reversed} writes the lines in
   * reverse.
   */
  private Path keyed(String name, double shift, long seed, boolean reversed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    java.util.List<String> lines = new java.util.ArrayList<>();
    for (int s = 0; s < 20; s++) {
      for (int k = 0; k < 3; k++) {
        lines.add(
            String.format(
                Locale.ROOT,
                "id%02d/e/%d.wav id%02d/t/%d.wav %.5f target",
                s,
                k,
                s,
                k,
                shift + r.nextDouble()));
      }
      for (int j = 1; j <= 6; j++) {
        lines.add(
            String.format(
                Locale.ROOT,
                "id%02d/e/0.wav id%02d/t/1.wav %.5f nontarget",
                s,
                (s + j) % 20,
                r.nextDouble()));
      }
    }
    if (reversed) {
      java.util.Collections.reverse(lines);
    }
    Path p = dir.resolve(name);
    Files.writeString(p, String.join("\n", lines) + "\n");
    return p;
  }

  @Test
  void keyedScoreFilesGetDifferencesWithIntervalsBySubjectByDefault() throws Exception {
    Path a = keyed("a.txt", 0.3, 1, false);
    Path b = keyed("b.txt", 1.0, 2, true); // B separates targets from impostors completely
    Run r = run("eval", "compare", "A=" + a, "B=" + b, "--out", dir.resolve("cmp").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("1000 replicates resampling 20 subjects")
        .contains("B - A, EER: ")
        .contains("B - A, TAR@FAR=1e-4: n/a");
    JsonNode j = new ObjectMapper().readTree(dir.resolve("cmp/metrics.json").toFile());
    double eerA = j.get("systems").get("A").get("eer").asDouble();
    double eerB = j.get("systems").get("B").get("eer").asDouble();
    assertThat(eerB).isZero();
    assertThat(eerA).isPositive();
    JsonNode eer = null;
    for (JsonNode d : j.get("differences")) {
      if (d.get("metric").asText().equals("EER")) {
        eer = d;
      }
    }
    assertThat(eer).isNotNull();
    assertThat(eer.get("difference").asDouble()).isEqualTo(eerB - eerA);
    assertThat(eer.get("low").asDouble()).isLessThanOrEqualTo(eerB - eerA);
    assertThat(eer.get("high").asDouble()).isLessThan(0);
    assertThat(eer.get("significant").asBoolean()).isTrue();
    assertThat(Files.readString(dir.resolve("cmp/report.md")))
        .contains("## Differences between systems")
        .contains("| B - A | EER |");
  }

  @Test
  void sameScoresUnderAnotherNameAreNotSignificant() throws Exception {
    Path a = keyed("a.txt", 0.3, 1, false);
    Path copy = keyed("copy.txt", 0.3, 1, true);
    Run r =
        run(
            "eval",
            "compare",
            "A=" + a,
            "C=" + copy,
            "--bootstrap",
            "100",
            "--out",
            dir.resolve("cmp").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("C - A, EER: +0.000 pp [+0.000 pp, +0.000 pp] 95% CI, p = 1.00, not significant");
  }

  @Test
  void aTrialMissingFromOneFileIsNamed() throws Exception {
    Path a = keyed("a.txt", 0.3, 1, false);
    Path b = keyed("b.txt", 1.0, 2, false);
    String text = Files.readString(b);
    Files.writeString(b, text.substring(text.indexOf('\n') + 1)); // drop id00/e/0 id00/t/0
    Run r = run("eval", "compare", "A=" + a, "B=" + b, "--out", dir.resolve("cmp").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(b + ": has no score for trial id00/e/0.wav id00/t/0.wav of " + a);
    assertThat(dir.resolve("cmp")).doesNotExist();
  }

  @Test
  void subjectsFileOverridesTheKeyRule() throws Exception {
    Path a = keyed("a.txt", 0.3, 1, false);
    Path b = keyed("b.txt", 1.0, 2, false);
    StringBuilder sb = new StringBuilder();
    for (int s = 0; s < 20; s++) {
      // two subjects: even and odd recordings of the rule's subjects merged
      for (String side : new String[] {"e", "t"}) {
        for (int k = 0; k < 3; k++) {
          sb.append(String.format(Locale.ROOT, "id%02d/%s/%d.wav p%d%n", s, side, k, s % 2));
        }
      }
    }
    Path subjects = dir.resolve("subjects.txt");
    Files.writeString(subjects, sb.toString());
    Run r =
        run(
            "eval",
            "compare",
            a.toString(),
            b.toString(),
            "--bootstrap",
            "20",
            "--subjects",
            subjects.toString(),
            "--out",
            dir.resolve("cmp").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("20 replicates resampling 2 subjects");
  }

  @Test
  void plainScoreFilesAreOnlyPairedWhenAsked() throws Exception {
    Path a = dir.resolve("a.txt");
    Path b = dir.resolve("b.txt");
    Files.writeString(a, "0.9 1\n0.2 0\n0.4 0\n0.7 1\n");
    Files.writeString(b, "0.8 1\n0.1 0\n0.5 0\n0.3 1\n");
    Run r =
        run("eval", "compare", a.toString(), b.toString(), "--out", dir.resolve("c1").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("differences: no bootstrap ('score label' files carry no subjects");
    r =
        run(
            "eval",
            "compare",
            a.toString(),
            b.toString(),
            "--bootstrap",
            "50",
            "--out",
            dir.resolve("c2").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("50 replicates resampling 4 trials (no subjects");
    Files.writeString(b, "0.8 0\n0.1 1\n0.5 0\n0.3 1\n");
    r =
        run(
            "eval",
            "compare",
            a.toString(),
            b.toString(),
            "--bootstrap",
            "50",
            "--out",
            dir.resolve("c3").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--bootstrap: " + b + " and " + a + " are 'score label' files");
  }
}
