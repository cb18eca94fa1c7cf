package io.qmargin.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.TrainedModel;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded load on localhost: concurrent clients enrol subjects, then verify against them; no
 * request fails and nothing is lost (every acknowledged subject is in the store with its sample,
 * the count matches, the server counted every request). The suite runs a small load; the tagged
 * test runs 32 clients and 10,000 requests.
 */
class ServeLoadTest {
  @TempDir Path dir;

  @Test
  void aSmallLoadHasNoErrorsAndLosesNothing() throws Exception {
    load(8, 120, 240);
  }

  @Test
  @Tag("integration")
  void thirtyTwoClientsAndTenThousandRequestsHaveNoErrorsAndLoseNothing() throws Exception {
    load(32, 2000, 8000);
  }

  private void load(int clients, int enrolments, int verifications) throws Exception {
    OperatingPoint point = new OperatingPoint("m", 1e-3, 0.5, 1e-3, 0.9, 0.8, 0.95, 1000, 100, "s");
    try (NDManager manager = NDManager.newBaseManager();
        TemplateStore store = TemplateStores.open(dir.resolve("db").toString(), "m", 16)) {
      SampleEmbedder embedder =
          new SampleEmbedder(
              TrainedModel.load(TinyFaceModel.run(), manager),
              manager,
              new ImageSizeGuard(1_000_000));
      String key = store.keys().create("load", Set.of(Scope.ENROL, Scope.VERIFY));
      try (VerificationServer server =
          new VerificationServer(
                  store, embedder, point, ServeSettings.localhost(0).withRate(1e6, 1_000_000))
              .start()) {
        ServeHttpBenchmark bench =
            new ServeHttpBenchmark(server.url(), key, HttpClient.newHttpClient());
        ServeHttpBenchmark.Result enrol =
            bench.enrol(clients, enrolments, "load", i -> List.of(TinyFaceModel.png(i)));
        assertThat(enrol.failures()).isEmpty();
        assertThat(enrol.ok()).isEqualTo(enrolments);
        ServeHttpBenchmark.Result verify =
            bench.verify(
                clients,
                verifications,
                i -> "load-" + (i % enrolments),
                i -> TinyFaceModel.png(i % enrolments));
        assertThat(verify.failures()).isEmpty();
        assertThat(verify.ok()).isEqualTo(verifications);
        assertThat(verify.p50Ms()).isPositive().isLessThanOrEqualTo(verify.p99Ms());

        assertThat(store.count()).isEqualTo(enrolments);
        assertThat(enrol.acknowledged()).hasSize(enrolments);
        for (String s : enrol.acknowledged()) {
          assertThat(store.find(s).orElseThrow().sampleIds()).as(s).hasSize(1);
        }
        // each probe is its subject's own sample: score 1, every decision an accept
        String metrics = server.metrics().scrape();
        assertThat(metrics)
            .contains(
                "qmargin_http_requests_total{method=\"POST\",route=\"/v1/subjects\",status=\"201\"} "
                    + enrolments
                    + "\n")
            .contains(
                "qmargin_http_requests_total{method=\"POST\",route=\"/v1/verify\",status=\"200\"} "
                    + verifications
                    + "\n")
            .contains(
                "qmargin_decisions_total{kind=\"verify\",decision=\"accept\"} "
                    + verifications
                    + "\n");
      }
    }
  }
}
