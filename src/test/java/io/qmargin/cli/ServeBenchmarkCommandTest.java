package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeBenchmarkCommandTest {
  @TempDir Path dir;

  @Test
  void aSmallRunReportsBothSearchesAndRemovesItsDatabases() throws Exception {
    Path work = dir.resolve("work");
    Files.createDirectories(work);
    Files.writeString(work.resolve("keep.txt"), "not the benchmark's");
    Path out = dir.resolve("bench.json");
    CliCapture cli = new CliCapture();
    int code =
        cli.run(
            "bench",
            "serve",
            "--sizes",
            "40,90",
            "--dimension",
            "8",
            "--queries",
            "3",
            "--k",
            "5",
            "--work-dir",
            work.toString(),
            "--out",
            out.toString());
    assertThat(code).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString())
        .contains("top-5")
        .contains("          40")
        .contains("          90");
    JsonNode search = Json.mapper().readTree(out.toFile()).get("search");
    assertThat(search).hasSize(2);
    assertThat(search.get(1).get("templates").asInt()).isEqualTo(90);
    assertThat(search.get(1).get("matrix_ms").get("queries").asInt()).isEqualTo(3);
    assertThat(search.get(1).get("store_ms").get("p99").asDouble())
        .isGreaterThanOrEqualTo(search.get(1).get("store_ms").get("p50").asDouble());
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
    }
  }
}
