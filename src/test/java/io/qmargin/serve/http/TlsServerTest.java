package io.qmargin.serve.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.TrainedModel;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from a standard PKCS12 keystore (made here by the JDK's keytool): the API answers over HTTPS
 * to a client that trusts the certificate, and the port speaks no plain HTTP.
 */
class TlsServerTest {

  /** A self-signed key pair for localhost in a new PKCS12 keystore. */
  static Path keystore(Path dir, String password) throws Exception {
    Path ks = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    keytool,
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    ks.toString(),
                    "-storepass",
                    password))
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    return ks;
  }

  static HttpClient trusting(Path ks, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, password.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Test
  void servesHttpsFromAPkcs12KeystoreAndNoPlainHttp(@TempDir Path dir) throws Exception {
    String password = "changeit-" + System.nanoTime();
    Path ks = keystore(dir, password);
    OperatingPoint point = new OperatingPoint("m", 1e-3, 0.4, 1e-3, 0.9, 0.8, 0.95, 1000, 100, "s");
    try (NDManager manager = NDManager.newBaseManager();
        TemplateStore store = TemplateStores.open(dir.resolve("db").toString(), "m", 16)) {
      SampleEmbedder embedder =
          new SampleEmbedder(
              TrainedModel.load(TinyFaceModel.run(), manager),
              manager,
              new ImageSizeGuard(1_000_000));
      String key = store.keys().create("k", Set.of(Scope.VERIFY));
      ServeSettings settings = ServeSettings.localhost(0).withTls(ks, password);
      try (VerificationServer server =
          new VerificationServer(store, embedder, point, settings).start()) {
        assertThat(server.url()).startsWith("https://127.0.0.1:");
        String https = "https://localhost:" + server.port();
        HttpTestClient client = new HttpTestClient(https, trusting(ks, password));
        assertThat(client.get("/v1/health", null).json().get("status").asText()).isEqualTo("ok");
        assertThat(
                client
                    .get("/v1/info", key)
                    .json()
                    .get("operating_point")
                    .get("threshold")
                    .asDouble())
            .isEqualTo(0.4);

        HttpRequest plain =
            HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/v1/health"))
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> answer;
        try {
          answer = HttpClient.newHttpClient().send(plain, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException refused) {
          answer = null; // the TLS connector drops a plain-text request
        }
        if (answer != null) {
          assertThat(answer.statusCode())
              .isEqualTo(400); // Jetty's answer to plain HTTP on a TLS port
        }
        HttpClient untrusting = HttpClient.newHttpClient();
        assertThatThrownBy(
                () ->
                    untrusting.send(
                        HttpRequest.newBuilder(URI.create(https + "/v1/health")).build(),
                        HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
      }
    }
  }
}
