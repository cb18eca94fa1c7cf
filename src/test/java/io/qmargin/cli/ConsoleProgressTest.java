package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.Progress;
import io.qmargin.train.TrainingListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Progress off a terminal: plain lines a log can keep, never a redrawn bar. */
class ConsoleProgressTest {

  @Test
  void offATerminalATaskPrintsItsSizeThenAboutTwentyPlainLines() {
    StringWriter log = new StringWriter();
    try (Progress p =
        new ConsoleProgress(10, new PrintWriter(log), 0, Progress.NONE)
            .start("embedding 45 images into e.npy", 45)) {
      for (int i = 0; i < 45; i++) {
        p.step(1);
      }
    }
    assertThat(log.toString()).doesNotContain("\r").doesNotContain("\u001b");
    List<String> lines = log.toString().lines().toList();
    assertThat(lines.get(0)).isEqualTo("embedding 45 images into e.npy: 45 to do");
    // one line every ceil(45 / 20) = 3 units below the total: 3, 6, ..., 42
    assertThat(lines.subList(1, lines.size() - 1)).hasSize(14);
    assertThat(lines.get(1)).isEqualTo("embedding 45 images into e.npy: 3 of 45 (7%)");
    assertThat(lines.get(14)).isEqualTo("embedding 45 images into e.npy: 42 of 45 (93%)");
    assertThat(lines.get(15)).startsWith("embedding 45 images into e.npy: 45 of 45 done in ");
  }

  /**
   * A quick task prints its start and its end only: a validation every epoch must not flood the
   * log.
   */
  @Test
  void aQuickTaskPrintsTwoLines() {
    StringWriter log = new StringWriter();
    try (Progress p =
        new ConsoleProgress(10, new PrintWriter(log)).start("embedding 18 held-out samples", 18)) {
      for (int i = 0; i < 18; i++) {
        p.step(1);
      }
    }
    List<String> lines = log.toString().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).isEqualTo("embedding 18 held-out samples: 18 to do");
    assertThat(lines.get(1)).startsWith("embedding 18 held-out samples: 18 of 18 done in ");
  }

  @Test
  void smallTasksStaySilent() {
    StringWriter log = new StringWriter();
    try (Progress p = new ConsoleProgress(256, new PrintWriter(log)).start("embedding", 255)) {
      p.step(255);
    }
    assertThat(log.toString()).isEmpty();
  }

  @Test
  void offATerminalTrainingPrintsAHeaderThenAPlainLineEveryFewSteps() {
    StringWriter log = new StringWriter();
    TrainCommand.ConsoleTrainingListener l =
        new TrainCommand.ConsoleTrainingListener(new PrintWriter(log), false);
    l.started(
        new TrainingListener.Start("face data synthetic", 16, 64, 40, 100, Path.of("runs", "a")));
    for (long step = 41; step <= 100; step++) {
      l.step(step, Map.of("loss", 2.5, "lr", 0.05, "samples_per_second", 120.0));
    }
    assertThat(log.toString()).doesNotContain("\r");
    List<String> lines = log.toString().lines().toList();
    assertThat(lines.get(0))
        .isEqualTo(
            "train: face data synthetic, 16 classes, 64 samples; resuming at step 41 of 100; "
                + "run directory "
                + Path.of("runs", "a"));
    // every ceil(100 / 20) = 5 steps: 45, 50, ..., 100
    assertThat(lines.subList(1, lines.size())).hasSize(12);
    assertThat(lines.get(1)).isEqualTo("step 45 of 100: loss 2.5000, lr 0.05000, 120 samples/s");
    assertThat(lines.get(12)).startsWith("step 100 of 100:");
  }
}
