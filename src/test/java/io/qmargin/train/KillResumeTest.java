package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL in a separate JVM (no shutdown hook, no finally block runs) and resumed
 * ends with the same losses, validation scores and final weights as an uninterrupted run.
 */
class KillResumeTest {

  @Test
  void killedRunResumesToTheSameResult(@TempDir Path dir) throws Exception {
    List<String> settings = TinyRuns.settings("schedule.epochs=5", "checkpoint_every_steps=2");
    Path killed = dir.resolve("killed");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx2g",
                "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path")));
    String threads = System.getProperty("ai.djl.pytorch.num_threads");
    if (threads != null) {
      cmd.add(1, "-Dai.djl.pytorch.num_threads=" + threads);
    }
    cmd.addAll(List.of("io.qmargin.cli.QmarginCli", "train", "--out", killed.toString()));
    for (String s : settings) {
      cmd.add("--set");
      cmd.add(s);
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("log.txt").toFile())
            .start();
    Path latest = killed.resolve("checkpoints/latest");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (Files.exists(latest) && Files.readString(latest).trim().compareTo("step-00000008") >= 0) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(p.isAlive())
        .as("still training when killed; log: %s", Files.readString(dir.resolve("log.txt")))
        .isTrue();
    p.destroyForcibly(); // SIGKILL on Linux
    p.waitFor(30, TimeUnit.SECONDS);
    assertThat(killed.resolve("model")).doesNotExist();

    TrainingResult resumed = TinyRuns.train(settings, killed, true, TrainingListener.QUIET);
    Path whole = dir.resolve("whole");
    TrainingResult uninterrupted = TinyRuns.train(settings, whole, false, TrainingListener.QUIET);

    assertThat(TinyRuns.series(killed.resolve("metrics.jsonl"), "step")).hasSize(20);
    assertThat(TinyRuns.series(killed.resolve("metrics.jsonl"), "loss"))
        .containsExactlyElementsOf(TinyRuns.series(whole.resolve("metrics.jsonl"), "loss"));
    assertThat(resumed.validation().get(0).scores().nontargets())
        .containsExactly(uninterrupted.validation().get(0).scores().nontargets());
    assertThat(Files.readAllBytes(killed.resolve("model/backbone.params")))
        .isEqualTo(Files.readAllBytes(whole.resolve("model/backbone.params")));
  }
}
