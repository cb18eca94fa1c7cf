package io.qmargin.serve.http;

import static io.qmargin.serve.http.RequestParts.intParam;
import static io.qmargin.serve.http.RequestParts.jsonBody;
import static io.qmargin.serve.http.RequestParts.requireMultipart;
import static io.qmargin.serve.http.RequestParts.subjectId;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.RateLimiter;
import io.qmargin.serve.http.Responses.AuditView;
import io.qmargin.serve.http.Responses.Candidate;
import io.qmargin.serve.http.Responses.Decision;
import io.qmargin.serve.http.Responses.Enrolment;
import io.qmargin.serve.http.Responses.Health;
import io.qmargin.serve.http.Responses.Identification;
import io.qmargin.serve.http.Responses.Info;
import io.qmargin.serve.http.Responses.KeyRequest;
import io.qmargin.serve.http.Responses.KeyView;
import io.qmargin.serve.http.Responses.Listing;
import io.qmargin.serve.http.Responses.NewKey;
import io.qmargin.serve.store.ApiKeyStore;
import io.qmargin.serve.store.AuditEvent;
import io.qmargin.serve.store.Match;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.Subject;
import io.qmargin.serve.store.SubjectExistsException;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.UnknownSubjectException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The verification service over HTTP: a JSON API under {@code /v1} (enrol, verify 1:1, identify
 * 1:N, subjects, API keys), {@code /metrics} in the Prometheus text format, {@code /openapi.json}
 * describing the API, and a web page at {@code /}.
 *
 * <p>Every API route is one {@link Route} of {@link #routes()}: its method, path and the scope an
 * API key needs ({@code Authorization: Bearer SECRET}); a key with the admin scope may do
 * everything. Each request goes through one wrapper that authenticates, applies the per-key rate
 * limit, runs the route, turns refusals into {@code {"error": "...", "status": N}} and counts the
 * request in the metrics. A score is accepted when {@code score >= threshold} of the operating
 * point. Enrolments are recorded in the audit log by the store, decisions here; nothing of a
 * sample's or a template's content is logged.
 */
public final class VerificationServer implements AutoCloseable {

  /** Most samples one enrolment request may carry. */
  static final int MAX_SAMPLES_PER_REQUEST = 64;

  /** Most subjects one identify request may ask for, and one page of the subject list. */
  static final int MAX_K = 100;

  static final int MAX_LIST = 1000;

  /** One API route: what a key needs to call it, and what it does. */
  public record Route(String method, String path, Scope scope, String summary, Action action) {}

  /**
   * A route's work; returns the response body: a String or bytes as they are (the route sets their
   * content type), anything else serialised as JSON, null for none (204).
   */
  @FunctionalInterface
  interface Action {
    Object run(Context ctx, ApiKeyStore.ApiKey key) throws Exception;
  }

  private final TemplateStore store;
  private final SampleEmbedder embedder;
  private final OperatingPoint point;
  private final ServeSettings settings;
  private final RateLimiter rateLimiter;
  private final ServiceMetrics metrics;
  private final List<Route> routes;
  private final Javalin app;

  /** A server (not yet listening) for a store and a model at an operating point of that model. */
  public VerificationServer(
      TemplateStore store, SampleEmbedder embedder, OperatingPoint point, ServeSettings settings) {
    if (!store.modelId().equals(point.modelId())) {
      throw new IllegalArgumentException(
          "the store holds templates of model "
              + store.modelId()
              + " but the operating point was calibrated on model "
              + point.modelId());
    }
    this.store = store;
    this.embedder = embedder;
    this.point = point;
    this.settings = settings;
    this.rateLimiter = new RateLimiter(settings.ratePerSecond(), settings.rateBurst());
    this.metrics = new ServiceMetrics(store::count);
    this.routes = buildRoutes();
    this.app = Javalin.create(this::configure);
  }

  /** Starts listening; returns this. */
  public VerificationServer start() {
    app.start(settings.bind(), settings.port());
    return this;
  }

  /** The port the server listens on (the one chosen when the settings asked for 0). */
  public int port() {
    return app.port();
  }

  /** The base URL, e.g. {@code https://127.0.0.1:8443}. */
  public String url() {
    String host = settings.bind().contains(":") ? "[" + settings.bind() + "]" : settings.bind();
    return (settings.tlsKeystore() == null ? "http" : "https") + "://" + host + ":" + port();
  }

  /** The API's routes, in the order they are registered; {@code /openapi.json} describes each. */
  public List<Route> routes() {
    return routes;
  }

  public ServiceMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    app.stop();
  }

  private void configure(io.javalin.config.JavalinConfig config) {
    config.startup.showJavalinBanner = false;
    config.startup.showOldJavalinVersionWarning = false;
    config.http.maxRequestSize = settings.maxUploadBytes();
    config.jetty.multipartConfig.maxTotalRequestSize(settings.maxUploadBytes(), SizeUnit.BYTES);
    config.jetty.multipartConfig.maxFileSize(settings.maxUploadBytes(), SizeUnit.BYTES);
    // uploads stay in memory up to the request limit: no temporary files holding samples
    config.jetty.multipartConfig.maxInMemoryFileSize(
        (int) Math.min(Integer.MAX_VALUE, settings.maxUploadBytes()), SizeUnit.BYTES);
    config.staticFiles.add(
        s -> {
          s.hostedPath = "/";
          s.directory = "/io/qmargin/serve/web";
          s.location = Location.CLASSPATH;
          s.headers = Map.of("Cache-Control", "no-cache");
        });
    if (settings.tlsKeystore() != null) {
      config.jetty.addConnector(this::tlsConnector);
    }
    for (Route r : routes) {
      config.routes.addEndpoint(
          new io.javalin.router.Endpoint(
              HandlerType.findOrCreate(r.method()), r.path(), ctx -> handle(ctx, r)));
    }
    config.routes.get(
        "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi()));
    // Javalin's error handlers run for every response of that status, including the routes' own
    // refusals, which already carry their message
    config.routes.error(
        404,
        ctx -> {
          if (ctx.attribute(REFUSED) == null) {
            error(ctx, 404, "no route " + ctx.method() + " " + ctx.path());
          }
        });
    config.routes.error(
        405,
        ctx -> {
          if (ctx.attribute(REFUSED) == null) {
            error(ctx, 405, "method " + ctx.method() + " not allowed on " + ctx.path());
          }
        });
  }

  /** The only connector when TLS is on: HTTPS with the PKCS12 keystore, no plain HTTP. */
  private ServerConnector tlsConnector(
      org.eclipse.jetty.server.Server server, HttpConfiguration http) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(settings.tlsKeystore().toAbsolutePath().toString());
    ssl.setKeyStoreType("PKCS12");
    ssl.setKeyStorePassword(settings.tlsPassword());
    HttpConfiguration https = new HttpConfiguration(http);
    https.addCustomizer(new SecureRequestCustomizer());
    ServerConnector c =
        new ServerConnector(
            server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    c.setHost(settings.bind());
    c.setPort(settings.port());
    return c;
  }

  private List<Route> buildRoutes() {
    List<Route> r = new ArrayList<>();
    r.add(new Route("GET", "/v1/health", null, "Liveness and the model's identity", this::health));
    r.add(new Route("GET", "/v1/info", Scope.VERIFY, "The model and operating point", this::info));
    r.add(
        new Route(
            "GET",
            "/v1/figures/{name}",
            Scope.VERIFY,
            "The evaluation's ROC or DET plot (PNG)",
            this::figure));
    r.add(
        new Route(
            "POST",
            "/v1/subjects",
            Scope.ENROL,
            "Enrol a new subject from one or more samples",
            this::enrol));
    r.add(new Route("GET", "/v1/subjects", Scope.ENROL, "List and count subjects", this::list));
    r.add(new Route("GET", "/v1/subjects/{id}", Scope.ENROL, "One subject", this::subject));
    r.add(
        new Route(
            "DELETE", "/v1/subjects/{id}", Scope.ENROL, "Delete a subject", this::deleteSubject));
    r.add(
        new Route(
            "POST",
            "/v1/subjects/{id}/samples",
            Scope.ENROL,
            "Add samples to an enrolled subject",
            this::addSamples));
    r.add(
        new Route(
            "DELETE",
            "/v1/subjects/{id}/samples/{sample}",
            Scope.ENROL,
            "Remove one sample (the last one deletes the subject)",
            this::removeSample));
    r.add(new Route("POST", "/v1/verify", Scope.VERIFY, "Verify a sample 1:1", this::verify));
    r.add(new Route("POST", "/v1/identify", Scope.VERIFY, "Identify a sample 1:N", this::identify));
    r.add(new Route("GET", "/v1/keys", Scope.ADMIN, "List API keys", this::listKeys));
    r.add(new Route("POST", "/v1/keys", Scope.ADMIN, "Create an API key", this::createKey));
    r.add(new Route("DELETE", "/v1/keys/{name}", Scope.ADMIN, "Revoke an API key", this::revoke));
    r.add(new Route("GET", "/v1/audit", Scope.ADMIN, "Recent audit events", this::audit));
    r.add(
        new Route(
            "GET",
            "/metrics",
            Scope.ADMIN,
            "Counters in the Prometheus text format",
            this::scrape));
    return List.copyOf(r);
  }

  // ---- the wrapper every route goes through

  private void handle(Context ctx, Route route) {
    long start = System.nanoTime();
    try {
      ApiKeyStore.ApiKey key = null;
      if (route.scope() != null) {
        key = authenticate(ctx, route.scope());
        RateLimiter.Decision rate = rateLimiter.tryAcquire(key.name());
        if (!rate.allowed()) {
          long seconds = Math.max(1, (rate.retryAfter().toMillis() + 999) / 1000);
          ctx.header("Retry-After", Long.toString(seconds));
          throw new ApiException(429, "rate limit exceeded for key '" + key.name() + "'");
        }
      }
      long length = ctx.req().getContentLengthLong();
      if (length > settings.maxUploadBytes()) {
        throw tooLarge(length);
      }
      Object body = route.action().run(ctx, key);
      if (body == null) {
        ctx.status(204);
      } else if (body instanceof String text) {
        ctx.result(text);
      } else if (body instanceof byte[] bytes) {
        ctx.result(bytes);
      } else {
        ctx.contentType("application/json").result(Responses.JSON.writeValueAsString(body));
      }
    } catch (ApiException e) {
      if (e.status() == 413) {
        // the rest of an oversized body is not read: the connection cannot carry another request
        ctx.header("Connection", "close");
      }
      error(ctx, e.status(), e.getMessage());
    } catch (UnknownSubjectException e) {
      error(ctx, 404, e.getMessage());
    } catch (Exception e) {
      ApiException refusal = requestProblem(e);
      if (refusal != null) {
        error(ctx, refusal.status(), refusal.getMessage());
      } else {
        // a bug or a failure of the database: the client learns nothing of the internals
        org.slf4j.LoggerFactory.getLogger(VerificationServer.class)
            .error("{} {} failed", route.method(), route.path(), e);
        error(ctx, 500, "internal error");
      }
    } finally {
      metrics.request(
          route.method(), route.path(), ctx.statusCode(), (System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Problems of the request that surface as exceptions of Jetty's multipart parser: a body over the
   * size limit ("max length exceeded" somewhere in the causes), or one that is not well-formed
   * multipart (a BadMessageException, whose deepest cause says what was wrong).
   */
  private ApiException requestProblem(Exception e) {
    boolean badMessage = false;
    Throwable deepest = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("max length exceeded") || m.contains("exceeds max")) {
        return tooLarge(-1);
      }
      badMessage |= t instanceof org.eclipse.jetty.http.BadMessageException;
      deepest = t;
    }
    return badMessage
        ? new ApiException(400, "malformed multipart request (" + deepest.getMessage() + ")")
        : null;
  }

  private ApiException tooLarge(long length) {
    return new ApiException(
        413,
        "request too large: "
            + (length < 0 ? "more than" : length + " bytes, more than")
            + " the limit of "
            + settings.maxUploadBytes()
            + " bytes");
  }

  private ApiKeyStore.ApiKey authenticate(Context ctx, Scope needed) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiException(401, "missing API key: send the header 'Authorization: Bearer KEY'");
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(401, "the Authorization header must be 'Bearer KEY'");
    }
    Optional<ApiKeyStore.ApiKey> key = store.keys().authenticate(header.substring(7).trim());
    if (key.isEmpty()) {
      throw new ApiException(401, "unknown or revoked API key");
    }
    Set<Scope> scopes = key.get().scopes();
    if (!scopes.contains(needed) && !scopes.contains(Scope.ADMIN)) {
      throw new ApiException(
          403,
          "API key '"
              + key.get().name()
              + "' lacks the "
              + needed.name().toLowerCase(Locale.ROOT)
              + " scope");
    }
    return key.get();
  }

  /** Request attribute set once a refusal has been written. */
  private static final String REFUSED = "qmargin.refused";

  private static void error(Context ctx, int status, String message) {
    ctx.attribute(REFUSED, Boolean.TRUE);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", status);
    try {
      ctx.status(status)
          .contentType("application/json")
          .result(Responses.JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- routes

  private Object health(Context ctx, ApiKeyStore.ApiKey key) {
    return new Health("ok", store.modelId());
  }

  private Object info(Context ctx, ApiKeyStore.ApiKey key) {
    List<String> figures = new ArrayList<>();
    for (String f : List.of("roc", "det")) {
      if (figure(f) != null) {
        figures.add(f);
      }
    }
    return new Info(store.modelId(), embedder.sampleKind(), store.dimension(), point, figures);
  }

  private Path figure(String name) {
    if (settings.figures() == null || !(name.equals("roc") || name.equals("det"))) {
      return null;
    }
    Path p = settings.figures().resolve(name + ".png");
    return Files.isRegularFile(p) ? p : null;
  }

  private Object figure(Context ctx, ApiKeyStore.ApiKey key) throws IOException {
    String name = ctx.pathParam("name");
    Path p = figure(name);
    if (p == null) {
      throw new ApiException(
          404,
          "no figure '"
              + name
              + "'"
              + (settings.figures() == null
                  ? ": the operating point names no evaluation folder with plots"
                  : ": there are 'roc' and 'det' when the evaluation wrote them"));
    }
    ctx.contentType("image/png");
    return Files.readAllBytes(p);
  }

  private Object enrol(Context ctx, ApiKeyStore.ApiKey key) {
    requireMultipart(ctx);
    String id = subjectId(ctx.formParam("subject_id"), "form field 'subject_id'");
    if (store.find(id).isPresent()) {
      throw alreadyEnrolled(id); // early, before embedding the samples
    }
    List<float[]> embeddings = embedSamples(ctx);
    Subject s;
    try {
      // create-only: of simultaneous enrolments of one new id, the database lets one through
      s = store.enrolNew(id, embeddings, key.name());
    } catch (SubjectExistsException e) {
      throw alreadyEnrolled(id);
    }
    ctx.status(201);
    return Enrolment.of(s);
  }

  private static ApiException alreadyEnrolled(String id) {
    return new ApiException(
        409,
        "subject '"
            + id
            + "' is already enrolled; add samples with POST /v1/subjects/{id}/samples");
  }

  private Object addSamples(Context ctx, ApiKeyStore.ApiKey key) {
    String id = subjectId(ctx.pathParam("id"), "the path");
    requireMultipart(ctx);
    requireEnrolled(id);
    List<float[]> embeddings = embedSamples(ctx);
    return Enrolment.of(store.addSamples(id, embeddings, key.name()));
  }

  private Object removeSample(Context ctx, ApiKeyStore.ApiKey key) {
    String id = subjectId(ctx.pathParam("id"), "the path");
    long sample;
    try {
      sample = Long.parseLong(ctx.pathParam("sample"));
    } catch (NumberFormatException e) {
      throw new ApiException(
          400, "sample id must be an integer, got '" + ctx.pathParam("sample") + "'");
    }
    Optional<Subject> left = store.removeSample(id, sample, key.name());
    return left.<Object>map(Enrolment::of).orElse(Map.of("subject_id", id, "deleted", true));
  }

  private Object deleteSubject(Context ctx, ApiKeyStore.ApiKey key) {
    String id = subjectId(ctx.pathParam("id"), "the path");
    if (!store.deleteSubject(id, key.name())) {
      throw new ApiException(404, "no subject '" + id + "'");
    }
    return null;
  }

  private Object subject(Context ctx, ApiKeyStore.ApiKey key) {
    String id = subjectId(ctx.pathParam("id"), "the path");
    return Enrolment.of(requireEnrolled(id));
  }

  private Object list(Context ctx, ApiKeyStore.ApiKey key) {
    int limit = intParam(ctx, "limit", 100, 1, MAX_LIST);
    String after = ctx.queryParam("after");
    List<String> ids = store.list(after, limit);
    String next = ids.size() == limit ? ids.get(ids.size() - 1) : null;
    return new Listing(store.count(), ids, next);
  }

  private Object verify(Context ctx, ApiKeyStore.ApiKey key) {
    requireMultipart(ctx);
    String id = subjectId(ctx.formParam("subject_id"), "form field 'subject_id'");
    float[] probe = embedOne(ctx);
    OptionalDouble score = store.score(id, probe);
    if (score.isEmpty()) {
      throw new ApiException(404, "no subject '" + id + "'");
    }
    boolean accepted = score.getAsDouble() >= point.threshold();
    store.audit(
        new AuditEvent(Instant.now(), key.name(), "verify", id, score.getAsDouble(), accepted));
    metrics.decision("verify", accepted);
    return new Decision(
        id, score.getAsDouble(), accepted, point.threshold(), point.far(), point.targetFar());
  }

  private Object identify(Context ctx, ApiKeyStore.ApiKey key) {
    requireMultipart(ctx);
    int k = intParam(ctx.formParam("k"), "k", 5, 1, MAX_K);
    float[] probe = embedOne(ctx);
    List<Candidate> out = new ArrayList<>();
    for (Match m : store.topK(probe, k)) {
      out.add(new Candidate(m.subjectId(), m.score(), m.score() >= point.threshold()));
    }
    Candidate best = out.isEmpty() ? null : out.get(0);
    boolean accepted = best != null && best.accepted();
    store.audit(
        new AuditEvent(
            Instant.now(),
            key.name(),
            "identify",
            best == null ? null : best.subjectId(),
            best == null ? null : best.score(),
            accepted));
    metrics.decision("identify", accepted);
    return new Identification(out, point.threshold(), point.far(), point.targetFar());
  }

  private Object listKeys(Context ctx, ApiKeyStore.ApiKey key) {
    return Map.of("keys", store.keys().list().stream().map(KeyView::of).toList());
  }

  private Object createKey(Context ctx, ApiKeyStore.ApiKey key) {
    KeyRequest req = jsonBody(ctx, KeyRequest.class);
    if (req.name() == null || !Scopes.KEY_NAME.matcher(req.name()).matches()) {
      throw new ApiException(400, Scopes.keyNameProblem(req.name()));
    }
    if (req.scopes() == null || req.scopes().isEmpty()) {
      throw new ApiException(400, "give at least one scope: " + Scopes.WORDS);
    }
    EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String s : req.scopes()) {
      scopes.add(Scopes.parse(s).orElseThrow(() -> new ApiException(400, Scopes.unknown(s))));
    }
    if (store.keys().list().stream().anyMatch(k -> k.name().equals(req.name()))) {
      throw new ApiException(409, "an API key named '" + req.name() + "' exists already");
    }
    String secret = store.keys().create(req.name(), scopes);
    ctx.status(201);
    return new NewKey(
        req.name(), KeyView.of(new ApiKeyStore.ApiKey(req.name(), scopes)).scopes(), secret);
  }

  private Object revoke(Context ctx, ApiKeyStore.ApiKey key) {
    String name = ctx.pathParam("name");
    if (!store.keys().revoke(name)) {
      throw new ApiException(404, "no API key named '" + name + "'");
    }
    return null;
  }

  private Object audit(Context ctx, ApiKeyStore.ApiKey key) {
    int limit = intParam(ctx, "limit", 100, 1, MAX_LIST);
    return Map.of("events", store.recentAudit(limit).stream().map(AuditView::of).toList());
  }

  private Object scrape(Context ctx, ApiKeyStore.ApiKey key) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
    return metrics.scrape();
  }

  // ---- request parts

  private Subject requireEnrolled(String id) {
    return store.find(id).orElseThrow(() -> new ApiException(404, "no subject '" + id + "'"));
  }

  private List<float[]> embedSamples(Context ctx) {
    List<UploadedFile> files = ctx.uploadedFiles("sample");
    if (files.isEmpty()) {
      throw new ApiException(
          400, "no samples: upload one or more " + embedder.sampleKind() + " files as 'sample'");
    }
    if (files.size() > MAX_SAMPLES_PER_REQUEST) {
      throw new ApiException(
          413, files.size() + " samples in one request; at most " + MAX_SAMPLES_PER_REQUEST);
    }
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      out.add(embed(files.get(i), i + 1));
    }
    return out;
  }

  private float[] embedOne(Context ctx) {
    List<UploadedFile> files = ctx.uploadedFiles("sample");
    if (files.size() != 1) {
      throw new ApiException(
          400,
          "upload exactly one " + embedder.sampleKind() + " file as 'sample', got " + files.size());
    }
    return embed(files.get(0), 1);
  }

  private float[] embed(UploadedFile f, int number) {
    String source =
        "sample " + number + " (" + io.qmargin.UserText.quoted(String.valueOf(f.filename())) + ")";
    byte[] bytes;
    try (InputStream in = f.content()) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ApiException(400, source + ": cannot read the upload (" + e.getMessage() + ")");
    }
    return embedder.embed(bytes, source);
  }

  private String openApi() {
    try (InputStream in =
        VerificationServer.class.getResourceAsStream("/io/qmargin/serve/http/openapi.json")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("the OpenAPI description is missing from the build", e);
    }
  }
}
