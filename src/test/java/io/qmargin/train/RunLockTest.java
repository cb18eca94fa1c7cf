package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process at a time owns a run directory; the others are refused with the holder's name. */
class RunLockTest {
  @TempDir Path dir;

  private static final String ME = "pid " + ProcessHandle.current().pid();

  @Test
  void aSecondLockInThisJvmIsRefusedUntilTheFirstIsReleased() throws Exception {
    RunDirectory run = new RunDirectory(dir.resolve("run"));
    try (RunLock first = run.lock()) {
      assertThat(Files.readString(run.lockFile())).startsWith(ME + " on ").contains("started ");
      assertThatThrownBy(run::lock)
          .isInstanceOf(UserInputException.class)
          .hasMessageContaining(run.root().toString())
          .hasMessageContaining("in use")
          .hasMessageContaining(ME);
    }
    try (RunLock again = run.lock()) {
      assertThat(run.lockFile()).exists();
    }
  }

  /**
   * The lock is the operating system's: a train command in another JVM is refused and names this
   * one.
   */
  @Test
  void trainInAnotherProcessIsRefusedNamingTheHolder() throws Exception {
    RunDirectory run = new RunDirectory(dir.resolve("run"));
    Path log = dir.resolve("child.txt");
    try (RunLock held = run.lock()) {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-Dai.djl.offline=true",
                  "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "io.qmargin.cli.QmarginCli",
                  "train",
                  "--out",
                  run.root().toString()));
      for (String s : TinyRuns.settings()) {
        cmd.add("--set");
        cmd.add(s);
      }
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(p.exitValue()).as(output).isEqualTo(2);
      assertThat(output)
          .contains("in use by another training run (" + ME + " on ")
          .doesNotContain("\tat ");
    }
    assertThat(run.config()).doesNotExist(); // the refused process wrote nothing
    assertThat(run.metrics()).doesNotExist();
  }
}
