package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run of {@code qmargin bench head}: every method is reported and the sparse head equals the
 * dense one.
 */
class HeadBenchmarkCommandTest {
  @TempDir Path dir;

  @Test
  void writesBenchJsonWithExactnessFigures() throws Exception {
    CliCapture cli = new CliCapture();
    int exit =
        cli.run(
            "bench",
            "head",
            "--classes",
            "3000",
            "--dim",
            "16",
            "--batch",
            "8",
            "--steps",
            "1",
            "--block",
            "1000",
            "--out",
            dir.toString());
    assertThat(exit).as(cli.err.toString()).isZero();
    JsonNode json = Json.mapper().readTree(dir.resolve("bench.json").toFile());
    assertThat(json.get("classes").asInt()).isEqualTo(3000);
    JsonNode methods = json.get("methods");
    assertThat(methods).hasSize(3);
    assertThat(methods.get(0).get("method").asText()).isEqualTo("dense");
    JsonNode sparse = methods.get(1);
    assertThat(sparse.get("method").asText()).isEqualTo("sparse_exact");
    assertThat(sparse.get("step_seconds").asDouble()).isPositive();
    assertThat(sparse.get("forward_matmul_seconds").asDouble()).isPositive();
    // a wall-clock ratio: reported, not asserted (the screened step can beat the float32 product,
    // and a
    // loaded machine skews either timing)
    assertThat(sparse.get("step_over_paired_product").asDouble()).isPositive();
    assertThat(methods.get(0).has("step_over_paired_product")).isFalse();
    assertThat(sparse.get("max_loss_diff").asDouble()).isLessThan(1e-4);
    assertThat(sparse.get("max_grad_diff").asDouble()).isLessThan(1e-5);
    assertThat(sparse.get("max_prototype_grad_diff").asDouble()).isLessThan(1e-5);
    assertThat(methods.get(2).get("method").asText()).startsWith("partial_fc");
  }
}
