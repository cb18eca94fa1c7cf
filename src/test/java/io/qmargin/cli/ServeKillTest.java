package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.ModelFingerprint;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.OperatingPointFile;
import io.qmargin.serve.http.HttpTestClient;
import io.qmargin.serve.http.SampleEmbedder;
import io.qmargin.serve.http.ServeHttpBenchmark;
import io.qmargin.serve.http.TinyFaceModel;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.Subject;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.TrainedModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qmargin serve} in a separate JVM, killed with SIGKILL (no shutdown hook runs) during a
 * burst of enrolments from concurrent clients, then started again: every enrolment that was
 * acknowledged (201) is there, and no subject is half written (each has both of its samples and the
 * template of exactly those two).
 */
class ServeKillTest {
  static final Pattern SERVING = Pattern.compile("serving (http://127\\.0\\.0\\.1:\\d+) ");

  /** A running {@code qmargin serve} process and its base URL. */
  record Server(Process process, String url, StringBuilder log) {}

  static Server serve(Path model, Path op, Path db, Path dir) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx1g",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                "io.qmargin.cli.QmarginCli",
                "serve",
                "--model",
                model.toString(),
                "--operating-point",
                op.toString(),
                "--db",
                db.toString(),
                "--port",
                "0",
                "--rate",
                "100000"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile()).start();
    StringBuilder log = new StringBuilder();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  synchronized (log) {
                    log.append(line).append('\n');
                  }
                  Matcher m = SERVING.matcher(line);
                  if (m.find()) {
                    url.complete(m.group(1));
                  }
                }
              } catch (java.io.IOException e) {
                // the process was killed
              }
              url.complete(null);
            });
    reader.setDaemon(true);
    reader.start();
    String base = url.get(120, TimeUnit.SECONDS);
    assertThat(base).as("the server did not start: %s", log).isNotNull();
    return new Server(p, base, log);
  }

  static List<byte[]> samplesOf(int i) {
    return List.of(TinyFaceModel.png(1000L + 2 * i), TinyFaceModel.png(1001L + 2 * i));
  }

  @Test
  void everyAcknowledgedEnrolmentSurvivesASigkillAndNoSubjectIsHalfWritten(@TempDir Path dir)
      throws Exception {
    Path model = TinyFaceModel.run();
    String id = ModelFingerprint.of(model.resolve("model"));
    Path op = dir.resolve("op.json");
    OperatingPointFile.write(
        op, new OperatingPoint(id, 1e-3, 0.5, 1e-3, 0.9, 0.8, 0.95, 1000, 100, "test"));
    Path db = dir.resolve("templates");
    String key;
    try (TemplateStore store = TemplateStores.open(db.toString(), id, 16)) {
      key = store.keys().create("kill-test", Set.of(Scope.ENROL));
    }

    Server first = serve(model, op, db, dir);
    ServeHttpBenchmark clients =
        new ServeHttpBenchmark(first.url(), key, HttpClient.newHttpClient());
    CompletableFuture<ServeHttpBenchmark.Result> burst =
        CompletableFuture.supplyAsync(() -> clients.enrol(4, 400, "s", ServeKillTest::samplesOf));
    HttpTestClient probe = new HttpTestClient(first.url());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline
        && probe.get("/v1/subjects?limit=1", key).json().get("count").asLong() < 25) {
      Thread.sleep(20);
    }
    first.process().destroyForcibly(); // SIGKILL on Linux
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    ServeHttpBenchmark.Result r = burst.get(120, TimeUnit.SECONDS);
    assertThat(r.acknowledged()).as(first.log().toString()).hasSizeGreaterThanOrEqualTo(25);
    assertThat(r.ok()).as("killed mid-burst").isLessThan(400);

    Server second = serve(model, op, db, dir);
    try {
      HttpTestClient c = new HttpTestClient(second.url());
      for (String s : r.acknowledged()) {
        HttpTestClient.Response got = c.get("/v1/subjects/" + s, key);
        assertThat(got.status()).as(s + ": " + got.body()).isEqualTo(200);
        assertThat(got.json().get("sample_ids")).as(s).hasSize(2);
      }
    } finally {
      second.process().destroy();
      second.process().waitFor(30, TimeUnit.SECONDS);
    }

    // every subject in the database, acknowledged or caught in flight, is whole: two samples and
    // the template of those two
    try (NDManager manager = NDManager.newBaseManager();
        TemplateStore store = TemplateStores.open(db.toString(), id, 16)) {
      SampleEmbedder embedder =
          new SampleEmbedder(
              TrainedModel.load(model, manager), manager, new ImageSizeGuard(1_000_000));
      List<String> all = store.list(null, 1000);
      assertThat(all).containsAll(r.acknowledged());
      for (String s : all) {
        Subject subject = store.find(s).orElseThrow();
        assertThat(subject.sampleIds()).as(s).hasSize(2);
        int i = Integer.parseInt(s.substring(2));
        float[] a = embedder.embed(samplesOf(i).get(0), "a");
        float[] b = embedder.embed(samplesOf(i).get(1), "b");
        float[] mean = new float[a.length];
        double norm = 0;
        for (int k = 0; k < a.length; k++) {
          mean[k] = a[k] + b[k];
          norm += mean[k] * mean[k];
        }
        for (int k = 0; k < a.length; k++) {
          assertThat(subject.template()[k])
              .as(s)
              .isCloseTo(
                  (float) (mean[k] / Math.sqrt(norm)),
                  org.assertj.core.api.Assertions.within(1e-5f));
        }
      }
    }
  }
}
