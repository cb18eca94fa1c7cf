package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qmargin demo}'s options; the demo itself runs in TrainCommandsTest. */
class DemoCommandTest {

  @Test
  void aMisspeltTaskIsRefusedBeforeAnyWorkNamingTheTasks(@TempDir Path dir) {
    Path out = dir.resolve("demo");
    CliCapture c = new CliCapture();
    assertThat(c.run("demo", "--task", "faces", "--out", out.toString())).isEqualTo(2);
    assertThat(c.err.toString()).contains("'--task': must be one of face, speaker; got 'faces'");
    assertThat(out).doesNotExist();
  }
}
