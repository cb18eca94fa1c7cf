package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A progress bar must not make jline extract its native library into the temporary folder: a JVM
 * killed while the bar runs would leave {@code jlinenative-*.so} and its lock there. Checked in a
 * child JVM with its own temporary folder, listed after a bar has been drawn.
 */
class NativeTerminalLibraryTest {
  @TempDir Path dir;

  /** Child: sets up the command line as main does, opens a bar, and prints the temporary folder. */
  public static void main(String[] args) throws IOException {
    QmarginCli.commandLine();
    try (Progress bar = new ConsoleProgress(1).start("task", 10)) {
      bar.step(10);
    } // closing renders the bar, which has opened the terminal by then
    // before the JVM exits (a library extracted with deleteOnExit would still be there)
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      s.forEach(p -> System.out.println("tmp: " + p.getFileName()));
    }
  }

  @Test
  void aProgressBarLeavesNoNativeLibraryInTheTemporaryFolder() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx64m",
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                System.getProperty("java.class.path"),
                NativeTerminalLibraryTest.class.getName()));
    Path log = dir.resolve("log.txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).doesNotContain("jlinenative");
  }
}
