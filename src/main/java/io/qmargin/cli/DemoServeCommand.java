package io.qmargin.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.data.face.SyntheticFaces;
import io.qmargin.serve.Calibration;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.ModelFingerprint;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.OperatingPointFile;
import io.qmargin.serve.http.MultipartBody;
import io.qmargin.serve.http.SampleEmbedder;
import io.qmargin.serve.http.ServeSettings;
import io.qmargin.serve.http.VerificationServer;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.ConfigLoader;
import io.qmargin.train.FaceData;
import io.qmargin.train.LossComparison;
import io.qmargin.train.TrainConfig;
import io.qmargin.train.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin demo serve}: the serving route end to end on the built-in synthetic identities:
 * train one Q-Margin model, evaluate it on held-out identities, calibrate, serve on 127.0.0.1,
 * enrol held-out identities over HTTP from rendered images and verify and identify probes.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "The serving route on the built-in synthetic identities: train one qmargin model (the demo's",
      "quick recipe), evaluate it on held-out identities, calibrate at --far, serve it on 127.0.0.1,",
      "enrol held-out identities over HTTP, verify genuine and impostor probes and identify a few.",
      "Writes OUT/runs/qmargin, OUT/eval, OUT/OP.json and the H2 database OUT/db.mv.db."
    })
final class DemoServeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      defaultValue = "qmargin-demo-serve",
      paramLabel = "DIR",
      description = "Output folder; default ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--far",
      defaultValue = "1e-3",
      paramLabel = "FAR",
      description =
          "Target FAR to calibrate at (one of the recipe's validation.far); default ${DEFAULT-VALUE}.")
  double far;

  @Option(
      names = "--subjects",
      defaultValue = "5",
      paramLabel = "N",
      description = "Held-out identities to enrol (at least 2); default ${DEFAULT-VALUE}.")
  int subjects;

  @Option(
      names = "--port",
      defaultValue = "0",
      paramLabel = "PORT",
      description = "Port on 127.0.0.1; default: any free port.")
  int port;

  @Option(
      names = "--keep-serving",
      description = "After the checks, print the URL and key and serve until Ctrl-C.")
  boolean keepServing;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override a key of the recipe (repeatable), as in qmargin train.")
  List<String> settings = new ArrayList<>();

  Map<String, String> env = System.getenv();

  /** One request of the route and its answer, as printed. */
  record Check(
      String kind,
      String subject,
      String probe,
      double score,
      double threshold,
      boolean accepted,
      boolean expected) {}

  @Override
  public Integer call() throws Exception {
    if (subjects < 2) {
      throw new UserInputException(
          "--subjects must be at least 2 (impostors need another subject)");
    }
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DemoCommand.prepare(out);
    List<String> overrides = new ArrayList<>(QUICK);
    overrides.add("data.type=synthetic");
    overrides.addAll(settings);
    ObjectNode recipe = DemoCommand.recipe("demo-face.yaml", overrides);
    TrainConfig c = ConfigLoader.bind(recipe, "demo recipe");
    if (c.validation().samplesPerIdentity() < 4) {
      throw new UserInputException(
          "validation.samples_per_identity must be at least 4 (2 to enrol, 2 probes)");
    }
    List<LossComparison.SeedRun> runs =
        LossComparison.train(
            recipe,
            DemoCommand.FULL.subList(0, 1),
            new long[] {c.seed()},
            out,
            env,
            new TrainCommand.ConsoleTrainingListener(err),
            false);
    LossComparison.Method m = runs.get(0).methods().get(0);
    Path eval = out.resolve("eval");
    // one method: no differences to bootstrap
    LossComparison.report(
        eval, runs, "qmargin demo serve", "The model that is served.", c.validation().far(), 1, 0);
    OperatingPoint op =
        Calibration.at(
            m.primary().metrics(), far, ModelFingerprint.of(m.runDir()), eval.toString());
    OperatingPointFile.write(out.resolve("OP.json"), op);
    o.printf(
        Locale.ROOT,
        "calibrated: threshold %.6f at FAR %.3g (TAR %.4f on %d genuine, %d impostor scores)%n",
        op.threshold(),
        op.targetFar(),
        op.tar(),
        op.genuines(),
        op.impostors());

    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel model = TrainedModel.load(m.runDir(), manager);
      SampleEmbedder embedder =
          new SampleEmbedder(model, manager, new ImageSizeGuard(ImageSizeGuard.DEFAULT_MAX_PIXELS));
      // with --keep-serving, Ctrl-C stops the server and closes the database before the JVM halts
      try (StopSignal stop = keepServing ? StopSignal.install() : null;
          TemplateStore store =
              TemplateStores.open(
                  out.resolve("db").toString(), op.modelId(), c.model().embeddingDim());
          VerificationServer server =
              new VerificationServer(
                      store, embedder, op, ServeSettings.localhost(port).withFigures(eval))
                  .start()) {
        String key = store.keys().create("demo-" + System.nanoTime(), Set.of(Scope.ADMIN));
        List<Check> checks = route(server.url(), key, c);
        printTable(o, checks);
        if (keepServing) {
          o.printf(
              Locale.ROOT, "serving %s/ ; API key (admin): %s ; Ctrl-C stops%n", server.url(), key);
          o.flush();
          stop.await();
        }
      }
    }
    o.println("wrote " + out);
    o.flush();
    return 0;
  }

  /** The demo's --quick sizes for synthetic data. */
  static final List<String> QUICK =
      java.util.stream.Stream.concat(
              DemoCommand.QUICK_VALIDATION.stream(), DemoCommand.QUICK_SYNTHETIC_DATA.stream())
          .toList();

  /**
   * Enrols held-out identities (samples 0 and 1), verifies sample 2 against its own subject and
   * against the next one, and identifies sample 3, all over HTTP.
   */
  private List<Check> route(String url, String key, TrainConfig c) throws Exception {
    Preprocessing pre = FaceData.preprocessing(c.data(), c.seed()).deterministic();
    // the held-out identities of the evaluation: those after the training ones
    int first = c.data().identities();
    SyntheticFaces faces = new SyntheticFaces(first, subjects, 4, pre);
    int h = pre.outputHeight();
    int w = pre.outputWidth();
    HttpClient http = HttpClient.newHttpClient();
    List<Check> checks = new ArrayList<>();
    for (int i = 0; i < subjects; i++) {
      MultipartBody form = new MultipartBody().field("subject_id", subject(i));
      for (int s = 0; s < 2; s++) {
        form.file("sample", "s.png", "image/png", png(faces.render(first + i, s, false), h, w));
      }
      post(http, url + "/v1/subjects", key, form, 201);
    }
    for (int i = 0; i < subjects; i++) {
      byte[] probe = png(faces.render(first + i, 2, false), h, w);
      for (int claimed : new int[] {i, (i + 1) % subjects}) {
        MultipartBody form =
            new MultipartBody()
                .field("subject_id", subject(claimed))
                .file("sample", "p.png", "image/png", probe);
        JsonNode d = post(http, url + "/v1/verify", key, form, 200);
        checks.add(
            new Check(
                claimed == i ? "genuine" : "impostor",
                subject(claimed),
                subject(i) + "/2",
                d.get("score").asDouble(),
                d.get("threshold").asDouble(),
                d.get("accepted").asBoolean(),
                claimed == i));
      }
    }
    for (int i = 0; i < Math.min(3, subjects); i++) {
      MultipartBody form =
          new MultipartBody()
              .field("k", "1")
              .file("sample", "p.png", "image/png", png(faces.render(first + i, 3, false), h, w));
      JsonNode d = post(http, url + "/v1/identify", key, form, 200);
      JsonNode top = d.get("candidates").get(0);
      checks.add(
          new Check(
              "identify",
              top.get("subject_id").asText(),
              subject(i) + "/3",
              top.get("score").asDouble(),
              d.get("threshold").asDouble(),
              top.get("accepted").asBoolean(),
              top.get("subject_id").asText().equals(subject(i))));
    }
    return checks;
  }

  private static String subject(int i) {
    return "held-out-" + i;
  }

  private static JsonNode post(
      HttpClient http, String url, String key, MultipartBody form, int expected)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", form.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** CHW floats in [-1, 1] as an RGB PNG (the inverse of the model's v / 127.5 - 1). */
  static byte[] png(float[] chw, int h, int w) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int plane = h * w;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = y * w + x;
        img.setRGB(
            x, y, byteOf(chw[o]) << 16 | byteOf(chw[plane + o]) << 8 | byteOf(chw[2 * plane + o]));
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "png", bytes);
    return bytes.toByteArray();
  }

  private static int byteOf(float v) {
    return (int) Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
  }

  private static void printTable(PrintWriter o, List<Check> checks) {
    o.printf(
        Locale.ROOT,
        "%-9s %-12s %-14s %10s %10s %-8s %-8s%n",
        "request",
        "subject",
        "probe",
        "score",
        "threshold",
        "decision",
        "expected");
    for (Check k : checks) {
      o.printf(
          Locale.ROOT,
          "%-9s %-12s %-14s %10.6f %10.6f %-8s %-8s%n",
          k.kind(),
          k.subject(),
          k.probe(),
          k.score(),
          k.threshold(),
          k.accepted() ? "accept" : "reject",
          k.expected() ? "accept" : "reject");
    }
    o.flush();
  }
}
