package io.qmargin.serve.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability of the embedded database: another JVM enrols subjects as fast as it can and prints
 * each id once {@code addSamples} has returned; it is killed with SIGKILL mid-burst. Reopened, the
 * store must hold every acknowledged subject whole, and no subject with only part of its samples or
 * a template that is not the pool of its samples.
 */
class StoreKillTest {
  static final int DIMENSION = 64;
  static final int SAMPLES = 3;

  /** The samples of subject {@code i}: fixed by {@code i}, so the test can recompute them. */
  static List<float[]> samplesOf(int i) {
    Random rnd = new Random(i);
    List<float[]> out = new ArrayList<>();
    for (int s = 0; s < SAMPLES; s++) {
      out.add(TemplateStoreContract.random(rnd, DIMENSION));
    }
    return out;
  }

  /** The enrolling process: {@code Enroller PATH}; two threads, one acknowledgement per line. */
  static final class Enroller {
    private Enroller() {}

    public static void main(String[] args) throws Exception {
      TemplateStore store = TemplateStores.open(args[0], "kill-test", DIMENSION);
      System.out.println("open");
      System.out.flush();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int first = t;
        Thread th =
            new Thread(
                () -> {
                  for (int i = first; ; i += 2) {
                    store.addSamples("s" + i, samplesOf(i), "enroller");
                    synchronized (System.out) {
                      System.out.println("acked s" + i);
                      System.out.flush();
                    }
                  }
                });
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) {
        th.join();
      }
    }
  }

  /** Ids on complete "acked" lines (a line cut by the kill ends without a newline). */
  private static List<String> acked(Path log) throws Exception {
    String text = read(log);
    List<String> ids = new ArrayList<>();
    for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
      if (line.startsWith("acked ")) {
        ids.add(line.substring("acked ".length()));
      }
    }
    return ids;
  }

  private static String read(Path log) throws Exception {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Test
  void everyAcknowledgedEnrolmentSurvivesSigkillWhole(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("store");
    List<String> cmd =
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-Xmx256m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            Enroller.class.getName(),
            db.toString());
    Path log = dir.resolve("enroller.txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && p.isAlive() && acked(log).size() < 300) {
        Thread.sleep(20);
      }
      assertThat(p.isAlive()).as("still enrolling when killed; output: %s", read(log)).isTrue();
      p.destroyForcibly(); // SIGKILL on Linux
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    // every line printed before the kill was acknowledged
    List<String> acked = acked(log);
    assertThat(acked).hasSizeGreaterThanOrEqualTo(300);

    try (TemplateStore store = TemplateStores.open(db.toString(), "kill-test", DIMENSION)) {
      for (String id : acked) {
        assertThat(store.find(id)).as("acknowledged %s", id).isPresent();
      }
      List<String> all = store.list(null, Integer.MAX_VALUE);
      assertThat(all).hasSizeGreaterThanOrEqualTo(acked.size());
      for (String id : all) {
        Subject s = store.find(id).orElseThrow();
        assertThat(s.sampleIds()).as("samples of %s", id).hasSize(SAMPLES);
        float[] expected =
            TemplateVectors.pool(samplesOf(Integer.parseInt(id.substring(1))), DIMENSION);
        assertThat(s.template()).as("template of %s", id).containsExactly(expected, within(0f));
        assertThat(store.score(id, expected).getAsDouble()).isCloseTo(1, within(1e-5));
      }
    }
  }
}
