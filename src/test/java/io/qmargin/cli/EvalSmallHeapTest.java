package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval scores} in a child JVM with a 32 MB heap on 1.2 million scores (an in-memory
 * evaluation needs about 40 MB): the in-memory mode says what to do without a stack trace, and
 * {@code --streaming} sizes its sorted runs from the heap and gives the in-memory result.
 */
class EvalSmallHeapTest {
  @TempDir Path dir;

  private record Result(int exit, String output) {}

  /**
   * The class path {@code ./qmargin} runs {@code eval} with: the classes and the runtime
   * dependencies written beside them by the build. Not the test class path: the JDK keeps the
   * central directory of every jar on it on the heap, and the provided Spark jars alone take about
   * 12 MB of a 32 MB heap.
   */
  private static String launcherClassPath() throws IOException {
    try {
      Path classes =
          Path.of(QmarginCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return classes
          + File.pathSeparator
          + Files.readString(classes.resolveSibling("classpath.txt")).strip();
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
  }

  private Result runWithSmallHeap(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx32m",
                "-Djava.awt.headless=true",
                "-cp",
                launcherClassPath(),
                QmarginCli.class.getName()));
    cmd.addAll(List.of(args));
    Path log = dir.resolve("log.txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish");
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  @Test
  void outOfMemoryIsOneClearLineAndStreamingSucceeds() throws Exception {
    Path scores = dir.resolve("scores.txt");
    SplittableRandom r = new SplittableRandom(21);
    try (BufferedWriter w = Files.newBufferedWriter(scores)) {
      for (int i = 0; i < 1_200_000; i++) {
        boolean target = r.nextInt(10) == 0;
        w.write(
            String.format(
                Locale.ROOT, "%.5f %d%n", r.nextDouble() + (target ? 0.5 : 0), target ? 1 : 0));
      }
    }
    Result inMemory =
        runWithSmallHeap("eval", "scores", scores.toString(), "--out", dir.resolve("a").toString());
    assertThat(inMemory.exit()).as(inMemory.output()).isEqualTo(2);
    assertThat(inMemory.output())
        .contains("qmargin scores: error: out of memory (the Java heap is limited to")
        .contains("QMARGIN_JAVA_OPTS=-Xmx")
        .contains("--streaming")
        .doesNotContain("\tat ");
    assertThat(dir.resolve("a/metrics.json")).doesNotExist();

    Result streaming =
        runWithSmallHeap(
            "eval",
            "scores",
            scores.toString(),
            "--out",
            dir.resolve("b").toString(),
            "--streaming");
    assertThat(streaming.exit()).as(streaming.output()).isZero();
    // the same metrics as the in-memory evaluation in this (large-heap) JVM
    assertThat(
            new CliCapture()
                .run("eval", "scores", scores.toString(), "--out", dir.resolve("c").toString()))
        .isZero();
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(dir.resolve("b/metrics.json").toFile()))
        .isEqualTo(json.readTree(dir.resolve("c/metrics.json").toFile()));
  }
}
