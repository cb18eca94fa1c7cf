package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.Json;
import io.qmargin.serve.http.TinyFaceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qmargin bench serve-http} at a tiny size: every enrolment and verification succeeds, files
 * that are not samples of the model's kind are left out, and the JSON holds both measurements.
 */
class ServeHttpBenchmarkCommandTest {
  @Test
  void enrolsAndVerifiesThroughTheServerWithoutErrors(@TempDir Path dir) throws Exception {
    Path samples = Files.createDirectories(dir.resolve("samples"));
    for (int i = 0; i < 5; i++) {
      Files.write(samples.resolve("f" + i + ".png"), TinyFaceModel.png(i));
    }
    Files.writeString(samples.resolve("README"), "not a face");
    Path out = dir.resolve("bench.json");
    CliCapture c = new CliCapture();
    int code =
        c.run(
            "bench",
            "serve-http",
            "--model",
            TinyFaceModel.run().toString(),
            "--samples",
            samples.toString(),
            "--clients",
            "3",
            "--requests",
            "12",
            "--out",
            out.toString());
    assertThat(code).as(c.err.toString()).isZero();
    assertThat(c.out.toString()).contains("3 clients, 5 image samples").doesNotContain("failed:");
    JsonNode json = Json.mapper().readTree(out.toFile());
    for (String kind : new String[] {"enrol", "verify"}) {
      assertThat(json.get(kind).get("requests").asInt()).isEqualTo(12);
      assertThat(json.get(kind).get("ok").asInt()).as(kind).isEqualTo(12);
      assertThat(json.get(kind).get("p50_ms").asDouble())
          .isPositive()
          .isLessThanOrEqualTo(json.get(kind).get("p99_ms").asDouble());
    }
  }
}
