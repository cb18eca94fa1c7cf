package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code qmargin bench backbone} runs end to end on the small backbone and writes its JSON. */
class BackboneBenchmarkCommandTest {

  @Test
  void smallBackboneBenchmarkPrintsATableAndWritesJson(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = QmarginCli.commandLine();
    cl.setOut(new PrintWriter(out, true));

    int code =
        cl.execute(
            "bench",
            "backbone",
            "--model",
            "small",
            "--batch",
            "4",
            "--warmup",
            "1",
            "--steps",
            "2",
            "--classes",
            "10",
            "--out",
            dir.toString());

    assertThat(code).as(out.toString()).isEqualTo(0);
    assertThat(out.toString()).contains("train img/s").contains("small");
    JsonNode json = Json.mapper().readTree(dir.resolve("backbone-bench.json").toFile());
    assertThat(json.get("model").asText()).isEqualTo("small");
    assertThat(json.get("parameters").asLong()).isEqualTo(1_374_176L);
    assertThat(json.get("train_step_seconds")).hasSize(2);
    assertThat(json.get("train_images_per_second").asDouble()).isPositive();
    assertThat(json.get("inference_images_per_second").asDouble()).isPositive();
  }

  @Test
  void unknownModelIsAUserError() {
    StringWriter err = new StringWriter();
    CommandLine cl = QmarginCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));

    assertThat(cl.execute("bench", "backbone", "--model", "resnet9000")).isEqualTo(2);
    assertThat(err.toString()).contains("resnet9000").contains("iresnet50");
  }

  @Test
  void noClassesIsAUserErrorNamingTheOption() {
    StringWriter err = new StringWriter();
    CommandLine cl = QmarginCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));

    assertThat(cl.execute("bench", "backbone", "--classes", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--classes must be at least 1, got 0");
  }
}
