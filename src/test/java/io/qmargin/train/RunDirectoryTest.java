package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.UserInputException;
import io.qmargin.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of a run directory: manifest, verification on resume, fallback, and what resume
 * requires.
 */
class RunDirectoryTest {
  @TempDir Path dir;

  /**
   * A run directory with checkpoints at the given steps, each holding the files a real one holds.
   */
  private RunDirectory withCheckpoints(String name, long... steps) throws IOException {
    RunDirectory run = new RunDirectory(dir.resolve(name));
    for (long step : steps) {
      run.writeCheckpoint(
          step,
          d -> {
            byte[] weights = new byte[4096];
            new java.util.Random(step).nextBytes(weights);
            Files.write(d.resolve("backbone.params"), weights);
            Files.createDirectories(d.resolve("optimizer"));
            Files.writeString(d.resolve("optimizer/momentum.bin"), "momentum of step " + step);
            Files.writeString(d.resolve("state.json"), "{\"step\": " + step + "}");
          },
          TrainingRun.KEEP_CHECKPOINTS);
    }
    return run;
  }

  private static Optional<Path> resume(RunDirectory run, List<String> warnings) throws IOException {
    Consumer<String> warn = warnings::add;
    return run.checkpointToResume(warn);
  }

  @Test
  void theManifestRecordsEachFilesSizeAndSha256() throws IOException {
    RunDirectory run = new RunDirectory(dir.resolve("abc"));
    Path c = run.writeCheckpoint(1, d -> Files.writeString(d.resolve("state.json"), "abc"), 2);
    JsonNode files = Json.mapper().readTree(c.resolve("manifest.json").toFile()).get("files");
    assertThat(files.size()).isEqualTo(1);
    assertThat(files.get("state.json").get("size").asLong()).isEqualTo(3);
    // FIPS 180-2, appendix B.1: SHA-256("abc")
    assertThat(files.get("state.json").get("sha256").asText())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void theNewestIntactCheckpointIsResumedWithoutComplaint() throws IOException {
    RunDirectory run = withCheckpoints("ok", 3, 4, 6);
    List<String> warnings = new ArrayList<>();
    assertThat(resume(run, warnings)).contains(run.checkpoints().resolve("step-00000006"));
    assertThat(warnings).isEmpty();
    assertThat(run.checkpoints().resolve("step-00000003")).doesNotExist(); // two kept
  }

  /** Each kind of damage a kill, a disk or a hand can do to the newest checkpoint. */
  @Test
  void aDamagedNewestCheckpointFallsBackToThePreviousSayingWhy() throws IOException {
    record Damage(String name, String file, String says, DamageAction action) {}
    List<Damage> damages =
        List.of(
            new Damage("missing", "optimizer/momentum.bin", "is missing", Files::delete),
            new Damage(
                "bitflip",
                "backbone.params",
                "SHA-256",
                f -> {
                  byte[] b = Files.readAllBytes(f);
                  b[1000] ^= 0x10;
                  Files.write(f, b);
                }),
            new Damage("empty", "state.json", "holds 0 bytes", f -> Files.write(f, new byte[0])),
            new Damage(
                "manifest",
                "manifest.json",
                "cannot be read",
                f -> Files.writeString(f, "{\"files\": {")));
    for (Damage d : damages) {
      RunDirectory run = withCheckpoints(d.name(), 4, 6);
      Path damaged = run.checkpoints().resolve("step-00000006").resolve(d.file());
      d.action().apply(damaged);
      List<String> warnings = new ArrayList<>();
      assertThat(resume(run, warnings))
          .as(d.name())
          .contains(run.checkpoints().resolve("step-00000004"));
      assertThat(warnings)
          .as(d.name())
          .singleElement()
          .asString()
          .contains(
              "step-00000006 is damaged",
              damaged.getFileName().toString(),
              d.says(),
              "falling back to step-00000004");
    }
  }

  @FunctionalInterface
  private interface DamageAction {
    void apply(Path file) throws IOException;
  }

  @Test
  void withNoIntactCheckpointTheErrorNamesTheDamagedFile() throws IOException {
    RunDirectory run = withCheckpoints("none", 4, 6);
    Files.write(run.checkpoints().resolve("step-00000006/state.json"), new byte[0]);
    Files.delete(run.checkpoints().resolve("step-00000004/optimizer/momentum.bin"));
    List<String> warnings = new ArrayList<>();
    assertThatThrownBy(() -> resume(run, warnings))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("no intact checkpoint")
        .hasMessageContaining(run.checkpoints().resolve("step-00000006/state.json").toString());
    assertThat(warnings).hasSize(2);
  }

  @Test
  void aCheckpointThatFailsMidWriteLeavesThePreviousOnesUsable() throws IOException {
    RunDirectory run = withCheckpoints("mid", 4, 6);
    assertThatThrownBy(
            () ->
                run.writeCheckpoint(
                    8,
                    d -> {
                      Files.writeString(d.resolve("backbone.params"), "half");
                      throw new IOException("disk full");
                    },
                    TrainingRun.KEEP_CHECKPOINTS))
        .hasMessageContaining("disk full");
    assertThat(Files.readString(run.checkpoints().resolve("latest")).trim())
        .isEqualTo("step-00000006");
    List<String> warnings = new ArrayList<>();
    assertThat(resume(run, warnings)).contains(run.checkpoints().resolve("step-00000006"));
    assertThat(run.checkpoints().resolve("step-00000004")).exists();
    assertThat(warnings).isEmpty();
  }

  @Test
  void resumeRequiresADirectoryWithItsConfig() throws IOException {
    RunDirectory typo = new RunDirectory(dir.resolve("rnu"));
    assertThatThrownBy(typo::requireExistingRun)
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(typo.root().toString())
        .hasMessageContaining("does not exist");
    assertThat(typo.root()).doesNotExist();
    RunDirectory bare = new RunDirectory(Files.createDirectories(dir.resolve("bare")));
    Files.writeString(bare.root().resolve("notes.txt"), "mine", StandardCharsets.UTF_8);
    assertThatThrownBy(bare::requireExistingRun)
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(bare.root().toString())
        .hasMessageContaining("no config.yaml");
  }
}
