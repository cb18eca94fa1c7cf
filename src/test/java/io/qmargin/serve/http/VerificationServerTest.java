package io.qmargin.serve.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.TrainedModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API against a real H2 store and a real (tiny) model: enrolment, 1:1 and 1:N decisions at
 * the operating point's threshold, subjects, keys and scopes, the audit log, the limits, every bad
 * input answered with a 4xx JSON error while the server keeps serving, metrics, and the OpenAPI
 * description.
 */
class VerificationServerTest {
  @TempDir static Path dir;

  static final String MODEL_ID = "tiny-face-model";
  static final double THRESHOLD = 0.5;
  static final OperatingPoint POINT =
      new OperatingPoint(MODEL_ID, 1e-3, THRESHOLD, 8e-4, 0.9, 0.85, 0.94, 5000, 400, "eval/x");

  static NDManager manager;
  static SampleEmbedder embedder;
  static TemplateStore store;
  static VerificationServer server;
  static HttpTestClient http;
  static String admin;
  static String enrol;
  static String verify;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
    TrainedModel model =
        TinyFaceModel.run() == null ? null : TrainedModel.load(TinyFaceModel.run(), manager);
    embedder = new SampleEmbedder(model, manager, new ImageSizeGuard(1_000_000));
    store = TemplateStores.open(dir.resolve("db").toString(), MODEL_ID, 16);
    admin = store.keys().create("root", Set.of(Scope.ADMIN));
    enrol = store.keys().create("desk", Set.of(Scope.ENROL));
    verify = store.keys().create("gate", Set.of(Scope.VERIFY));
    server =
        new VerificationServer(
                store,
                embedder,
                POINT,
                ServeSettings.localhost(0).withLimits(300_000, 1_000_000).withRate(1e6, 1_000_000))
            .start();
    http = new HttpTestClient(server.url());
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
    manager.close();
  }

  static MultipartBody samples(long... seeds) {
    MultipartBody f = new MultipartBody();
    for (long s : seeds) {
      f.file("sample", "face" + s + ".png", "image/png", TinyFaceModel.png(s));
    }
    return f;
  }

  static float[] normalised(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** The template by its definition: the normalised mean of the normalised sample embeddings. */
  static float[] template(long... seeds) {
    float[] sum = new float[16];
    for (long s : seeds) {
      float[] e = normalised(embedder.embed(TinyFaceModel.png(s), "reference"));
      for (int i = 0; i < sum.length; i++) {
        sum[i] += e[i];
      }
    }
    return normalised(sum);
  }

  @Test
  void verifyScoresTheProbeAgainstTheMeanTemplateAndDecidesAtTheThreshold() {
    HttpTestClient.Response r =
        http.post("/v1/subjects", enrol, samples(11, 12).field("subject_id", "alice"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().get("subject_id").asText()).isEqualTo("alice");
    assertThat(r.json().get("sample_ids")).hasSize(2);

    for (long probe : new long[] {11, 99}) {
      HttpTestClient.Response v =
          http.post("/v1/verify", verify, samples(probe).field("subject_id", "alice"));
      assertThat(v.status()).as(v.body()).isEqualTo(200);
      JsonNode d = v.json();
      double expected =
          dot(normalised(embedder.embed(TinyFaceModel.png(probe), "p")), template(11, 12));
      assertThat(d.get("score").asDouble()).isCloseTo(expected, within(1e-5));
      assertThat(d.get("accepted").asBoolean()).isEqualTo(expected >= THRESHOLD);
      assertThat(d.get("threshold").asDouble()).isEqualTo(THRESHOLD);
      assertThat(d.get("far").asDouble()).isEqualTo(8e-4);
      assertThat(d.get("target_far").asDouble()).isEqualTo(1e-3);
    }
  }

  @Test
  void identifyRanksSubjectsByCosineWithTheirTemplates() {
    for (int i = 0; i < 4; i++) {
      HttpTestClient.Response r =
          http.post("/v1/subjects", enrol, samples(200 + i).field("subject_id", "id-" + i));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
    HttpTestClient.Response r = http.post("/v1/identify", verify, samples(202).field("k", "3"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode c = r.json().get("candidates");
    assertThat(c).hasSize(3);
    assertThat(c.get(0).get("subject_id").asText()).isEqualTo("id-2");
    assertThat(c.get(0).get("score").asDouble()).isCloseTo(1.0, within(1e-5));
    assertThat(c.get(0).get("accepted").asBoolean()).isTrue();
    for (int i = 1; i < 3; i++) {
      assertThat(c.get(i).get("score").asDouble())
          .isLessThanOrEqualTo(c.get(i - 1).get("score").asDouble());
      assertThat(c.get(i).get("accepted").asBoolean())
          .isEqualTo(c.get(i).get("score").asDouble() >= THRESHOLD);
    }
  }

  @Test
  void ofSimultaneousEnrolmentsOfOneNewIdOneIsCreatedAndTheRestGet409() throws Exception {
    int clients = 6;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpTestClient.Response>> sent = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        // client i sends i+1 samples, so the stored subject shows whose enrolment it holds
        long[] seeds = new long[i + 1];
        for (int j = 0; j <= i; j++) {
          seeds[j] = 500 + 10L * i + j;
        }
        MultipartBody form = samples(seeds).field("subject_id", "racer");
        sent.add(
            pool.submit(
                () -> {
                  go.await();
                  return http.post("/v1/subjects", enrol, form);
                }));
      }
      go.countDown();
      List<HttpTestClient.Response> created = new ArrayList<>();
      for (Future<HttpTestClient.Response> f : sent) {
        HttpTestClient.Response r = f.get();
        if (r.status() == 201) {
          created.add(r);
        } else {
          assertThat(r.status()).as(r.body()).isEqualTo(409);
          assertThat(r.json().get("error").asText())
              .isEqualTo(
                  "subject 'racer' is already enrolled;"
                      + " add samples with POST /v1/subjects/{id}/samples");
        }
      }
      assertThat(created).hasSize(1);
      JsonNode stored = http.get("/v1/subjects/racer", enrol).json();
      assertThat(stored.get("sample_ids")).isEqualTo(created.get(0).json().get("sample_ids"));
    } finally {
      pool.shutdown();
      http.delete("/v1/subjects/racer", admin);
    }
  }

  @Test
  void samplesAreAddedAndRemovedAndTheLastRemovalDeletesTheSubject() {
    JsonNode e = http.post("/v1/subjects", enrol, samples(31).field("subject_id", "bob")).json();
    long first = e.get("sample_ids").get(0).asLong();
    HttpTestClient.Response added = http.post("/v1/subjects/bob/samples", enrol, samples(32, 33));
    assertThat(added.status()).as(added.body()).isEqualTo(200);
    assertThat(added.json().get("sample_ids")).hasSize(3);
    assertThat(
            http.post("/v1/verify", verify, samples(32).field("subject_id", "bob"))
                .json()
                .get("score")
                .asDouble())
        .isCloseTo(
            dot(normalised(embedder.embed(TinyFaceModel.png(32), "p")), template(31, 32, 33)),
            within(1e-5));

    List<Long> ids = new ArrayList<>();
    added.json().get("sample_ids").forEach(n -> ids.add(n.asLong()));
    assertThat(http.delete("/v1/subjects/bob/samples/" + first, enrol).json().get("sample_ids"))
        .hasSize(2);
    assertThat(http.delete("/v1/subjects/bob/samples/" + first, enrol).status()).isEqualTo(404);
    http.delete("/v1/subjects/bob/samples/" + ids.get(1), enrol);
    JsonNode last = http.delete("/v1/subjects/bob/samples/" + ids.get(2), enrol).json();
    assertThat(last.get("deleted").asBoolean()).isTrue();
    assertThat(http.get("/v1/subjects/bob", enrol).status()).isEqualTo(404);

    http.post("/v1/subjects", enrol, samples(34).field("subject_id", "carol"));
    assertThat(http.delete("/v1/subjects/carol", enrol).status()).isEqualTo(204);
    assertThat(http.delete("/v1/subjects/carol", enrol).status()).isEqualTo(404);
  }

  @Test
  void subjectsAreListedInPagesWithTheirCount() {
    for (String id : List.of("list-a", "list-b", "list-c")) {
      http.post("/v1/subjects", enrol, samples(40).field("subject_id", id));
    }
    JsonNode page = http.get("/v1/subjects?after=list-&limit=2", enrol).json();
    assertThat(page.get("subjects"))
        .extracting(JsonNode::asText)
        .containsExactly("list-a", "list-b");
    assertThat(page.get("next").asText()).isEqualTo("list-b");
    assertThat(page.get("count").asLong()).isEqualTo(store.count());
    JsonNode rest = http.get("/v1/subjects?after=list-b&limit=2", enrol).json();
    assertThat(rest.get("subjects").get(0).asText()).isEqualTo("list-c");
  }

  @Test
  void enrolmentsAndDecisionsAreAuditedWithoutContent() {
    http.post("/v1/subjects", enrol, samples(51).field("subject_id", "audited"));
    JsonNode d = http.post("/v1/verify", verify, samples(52).field("subject_id", "audited")).json();
    JsonNode events = http.get("/v1/audit?limit=5", admin).json().get("events");
    JsonNode v = events.get(0);
    assertThat(v.get("action").asText()).isEqualTo("verify");
    assertThat(v.get("actor").asText()).isEqualTo("gate");
    assertThat(v.get("subject_id").asText()).isEqualTo("audited");
    assertThat(v.get("score").asDouble()).isEqualTo(d.get("score").asDouble());
    assertThat(v.get("accepted").asBoolean()).isEqualTo(d.get("accepted").asBoolean());
    assertThat(events.get(1).get("action").asText()).isEqualTo("enrol");
    assertThat(events.get(1).get("actor").asText()).isEqualTo("desk");
    assertThat(v.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("time", "actor", "action", "subject_id", "score", "accepted");
  }

  /** A PNG whose header declares {@code w x h} pixels, followed by no image data worth decoding. */
  static byte[] pngHeader(int w, int h) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
    out.writeBytes(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    out.writeBytes(new byte[64]);
    return out.toByteArray();
  }

  record Bad(String what, HttpTestClient.Response response, int status, String message) {}

  @Test
  void badInputGetsANamedFourHundredAndTheServerKeepsServing() {
    http.post("/v1/subjects", enrol, samples(61).field("subject_id", "known"));
    byte[] corrupt = Arrays.copyOf(TinyFaceModel.png(5), 60);
    List<Bad> cases =
        List.of(
            new Bad(
                "corrupt image",
                http.post(
                    "/v1/verify",
                    verify,
                    new MultipartBody()
                        .field("subject_id", "known")
                        .file("sample", "broken.png", "image/png", corrupt)),
                400,
                "sample 1 ('broken.png'): cannot decode"),
            new Bad(
                "audio sent to a face model",
                http.post(
                    "/v1/verify",
                    verify,
                    new MultipartBody()
                        .field("subject_id", "known")
                        .file(
                            "sample",
                            "a.wav",
                            "audio/wav",
                            "RIFF....WAVEfmt ".getBytes(StandardCharsets.US_ASCII))),
                415,
                "sample 1 ('a.wav'): not an image"),
            new Bad(
                "wrong content type",
                http.postJson("/v1/verify", verify, "{\"subject_id\": \"known\"}"),
                415,
                "expected a multipart/form-data upload, got content type 'application/json'"),
            new Bad(
                "oversized upload",
                http.post(
                    "/v1/subjects",
                    enrol,
                    new MultipartBody()
                        .field("subject_id", "big")
                        .file("sample", "big.png", "image/png", new byte[400_000])),
                413,
                "request too large"),
            new Bad(
                "decompression bomb",
                http.post(
                    "/v1/subjects",
                    enrol,
                    new MultipartBody()
                        .field("subject_id", "bomb")
                        .file("sample", "bomb.png", "image/png", pngHeader(30000, 30000))),
                413,
                "900000000 pixels"),
            new Bad(
                "unknown subject",
                http.post("/v1/verify", verify, samples(1).field("subject_id", "nobody")),
                404,
                "no subject 'nobody'"),
            new Bad(
                "malformed JSON",
                http.postJson("/v1/keys", admin, "{\"name\": \"k\", \"scopes\": [\"enrol\""),
                400,
                "malformed JSON"),
            new Bad(
                "unknown scope",
                http.postJson("/v1/keys", admin, "{\"name\": \"k\", \"scopes\": [\"root\"]}"),
                400,
                "unknown scope 'root'"),
            new Bad("missing key", http.get("/v1/info", null), 401, "missing API key"),
            new Bad(
                "wrong key",
                http.get("/v1/info", "qm_not-a-key"),
                401,
                "unknown or revoked API key"),
            new Bad(
                "key without the scope",
                http.post("/v1/subjects", verify, samples(1).field("subject_id", "x")),
                403,
                "API key 'gate' lacks the enrol scope"),
            new Bad(
                "enrolling an enrolled subject",
                http.post("/v1/subjects", enrol, samples(1).field("subject_id", "known")),
                409,
                "subject 'known' is already enrolled"),
            new Bad(
                "invalid subject id",
                http.post("/v1/subjects", enrol, samples(1).field("subject_id", "a/b")),
                400,
                "invalid subject id"),
            new Bad(
                "no sample",
                http.post("/v1/identify", verify, new MultipartBody().field("k", "2")),
                400,
                "upload exactly one image file as 'sample', got 0"),
            new Bad(
                "k out of range",
                http.post("/v1/identify", verify, samples(1).field("k", "0")),
                400,
                "'k' must be an integer in [1, 100], got '0'"),
            new Bad(
                "unknown route", http.get("/v1/nothing", admin), 404, "no route GET /v1/nothing"));
    for (Bad b : cases) {
      assertThat(b.response().status())
          .as(b.what() + ": " + b.response().body())
          .isEqualTo(b.status());
      JsonNode e = b.response().json();
      assertThat(e.get("status").asInt()).as(b.what()).isEqualTo(b.status());
      assertThat(e.get("error").asText()).as(b.what()).contains(b.message());
      assertThat(http.get("/v1/health", null).status())
          .as("serving after " + b.what())
          .isEqualTo(200);
    }
    assertThat(store.find("big")).isEmpty();
    assertThat(store.find("bomb")).isEmpty();
    assertThat(store.find("x")).isEmpty();
  }

  @Test
  void aKeyOverItsRateGets429AndOtherKeysAreServed() {
    try (VerificationServer limited =
        new VerificationServer(
                store, embedder, POINT, ServeSettings.localhost(0).withRate(0.001, 3))
            .start()) {
      HttpTestClient c = new HttpTestClient(limited.url());
      for (int i = 0; i < 3; i++) {
        assertThat(c.get("/v1/info", verify).status()).isEqualTo(200);
      }
      HttpTestClient.Response over = c.get("/v1/info", verify);
      assertThat(over.status()).isEqualTo(429);
      assertThat(over.json().get("error").asText()).isEqualTo("rate limit exceeded for key 'gate'");
      // the bucket refills at 0.001 tokens/s: the next token is 1000 s away
      assertThat(over.retryAfter()).isEqualTo("1000");
      assertThat(c.get("/v1/subjects", enrol).status()).isEqualTo(200);
    }
  }

  @Test
  void keysAreCreatedListedAndRevokedByAnAdmin() {
    HttpTestClient.Response created =
        http.postJson("/v1/keys", admin, "{\"name\": \"kiosk\", \"scopes\": [\"verify\"]}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String secret = created.json().get("secret").asText();
    assertThat(http.get("/v1/info", secret).status()).isEqualTo(200);
    assertThat(http.get("/v1/keys", admin).body()).contains("\"kiosk\"").doesNotContain(secret);
    assertThat(http.get("/v1/keys", enrol).status()).isEqualTo(403);
    assertThat(http.delete("/v1/keys/kiosk", admin).status()).isEqualTo(204);
    assertThat(http.get("/v1/info", secret).status()).isEqualTo(401);
  }

  @Test
  void metricsCountRequestsAndDecisionsInThePrometheusTextFormat() {
    ServiceMetrics m = new ServiceMetrics(() -> 7);
    m.request("GET", "/v1/info", 200, 0.003);
    m.request("GET", "/v1/info", 200, 0.2);
    m.request("POST", "/v1/verify", 404, 0.03);
    m.decision("verify", true);
    String text = m.scrape();
    assertThat(text)
        .contains(
            "qmargin_http_requests_total{method=\"GET\",route=\"/v1/info\",status=\"200\"} 2\n")
        .contains(
            "qmargin_http_request_duration_seconds_bucket{route=\"/v1/info\",le=\"0.005\"} 1\n")
        .contains(
            "qmargin_http_request_duration_seconds_bucket{route=\"/v1/info\",le=\"0.25\"} 2\n")
        .contains(
            "qmargin_http_request_duration_seconds_bucket{route=\"/v1/info\",le=\"+Inf\"} 2\n")
        .contains("qmargin_http_request_duration_seconds_sum{route=\"/v1/info\"} 0.203\n")
        .contains("qmargin_decisions_total{kind=\"verify\",decision=\"accept\"} 1\n")
        .contains("qmargin_enrolled_subjects 7\n");
    // every line is a comment or "name{labels} value", as the text format requires
    Pattern sample =
        Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? -?[0-9.eE+-]+|[+-]Inf|NaN");
    for (String line : http.get("/metrics", admin).body().split("\n")) {
      assertThat(
              line.startsWith("# HELP ")
                  || line.startsWith("# TYPE ")
                  || sample.matcher(line).matches())
          .as(line)
          .isTrue();
    }
    double before = served("/v1/health");
    http.get("/v1/health", null);
    http.get("/v1/health", null);
    assertThat(served("/v1/health")).isEqualTo(before + 2);
    assertThat(http.get("/metrics", verify).status()).isEqualTo(403);
  }

  private static double served(String route) {
    String prefix =
        "qmargin_http_requests_total{method=\"GET\",route=\"" + route + "\",status=\"200\"} ";
    for (String line : http.get("/metrics", admin).body().split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(prefix.length()));
      }
    }
    return 0;
  }

  @Test
  void theOpenApiDescriptionDescribesEveryRouteTheServerRegisters() {
    HttpTestClient.Response r = http.get("/openapi.json", null);
    assertThat(r.status()).isEqualTo(200);
    JsonNode doc = r.json();
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    JsonNode paths = doc.get("paths");
    List<String> described = new ArrayList<>();
    paths
        .fieldNames()
        .forEachRemaining(
            p ->
                paths
                    .get(p)
                    .fieldNames()
                    .forEachRemaining(m -> described.add(m.toUpperCase() + " " + p)));
    List<String> registered = new ArrayList<>();
    for (VerificationServer.Route route : server.routes()) {
      registered.add(route.method() + " " + route.path());
      JsonNode op = paths.get(route.path()).get(route.method().toLowerCase());
      // the scope the server demands is the scope the description names
      JsonNode security = op.get("security");
      if (route.scope() == null) {
        assertThat(security).as(route.path()).isEmpty();
      } else {
        assertThat(security.get(0).get("apiKey").get(0).asText())
            .as(route.path())
            .isEqualTo(Scopes.word(route.scope()));
      }
    }
    registered.add("GET /openapi.json");
    assertThat(described).containsExactlyInAnyOrderElementsOf(registered);
    // every schema reference resolves
    JsonNode schemas = doc.get("components").get("schemas");
    for (String ref : refs(doc, new ArrayList<>())) {
      String name = ref.substring(ref.lastIndexOf('/') + 1);
      assertThat(
              ref.startsWith("#/components/schemas/")
                  ? schemas.has(name)
                  : doc.get("components").get("responses").has(name))
          .as(ref)
          .isTrue();
    }
    // a live answer carries the fields its schema requires
    JsonNode health = http.get("/v1/health", null).json();
    schemas
        .get("Health")
        .get("required")
        .forEach(f -> assertThat(health.has(f.asText())).as(f.asText()).isTrue());
    JsonNode info = http.get("/v1/info", verify).json();
    schemas
        .get("Info")
        .get("required")
        .forEach(f -> assertThat(info.has(f.asText())).as(f.asText()).isTrue());
    schemas
        .get("OperatingPoint")
        .get("required")
        .forEach(
            f -> assertThat(info.get("operating_point").has(f.asText())).as(f.asText()).isTrue());
  }

  private static List<String> refs(JsonNode n, List<String> out) {
    if (n.has("$ref")) {
      out.add(n.get("$ref").asText());
    }
    n.elements().forEachRemaining(c -> refs(c, out));
    return out;
  }
}
