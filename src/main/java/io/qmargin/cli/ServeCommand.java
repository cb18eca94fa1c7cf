package io.qmargin.cli;

import ai.djl.ndarray.NDManager;
import io.qmargin.UserInputException;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.ModelFingerprint;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.OperatingPointFile;
import io.qmargin.serve.http.SampleEmbedder;
import io.qmargin.serve.http.Scopes;
import io.qmargin.serve.http.ServeSettings;
import io.qmargin.serve.http.VerificationServer;
import io.qmargin.serve.store.ApiKeyStore;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.StoreDatabase;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin serve}: the verification service (HTTP JSON API and a web page) for one model at
 * one operating point, with its templates in a database; {@code qmargin serve keys} manages the
 * service's API keys.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a model as a verifier: enrol subjects, verify (1:1) and identify (1:N)",
      "at the operating point's threshold, over an HTTP JSON API (/v1, described at",
      "/openapi.json), with a web page at /. Samples are aligned face crops (face",
      "models; no face detection) or speech (speaker models). Requests need an API",
      "key: create one with 'qmargin serve keys create'. Runs until stopped (Ctrl-C);",
      "every acknowledged enrolment is in the database."
    },
    subcommands = {ServeCommand.Keys.class})
final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "RUN_DIR",
      description = "A finished run directory (or its model/ folder); required.")
  Path model;

  @Option(
      names = "--operating-point",
      paramLabel = "OP.json",
      description = "The operating point from 'qmargin calibrate' for this model; required.")
  Path operatingPoint;

  @Option(
      names = "--db",
      paramLabel = "URL|PATH",
      description =
          "The template database: a path (an embedded H2 database, created if new) or a JDBC URL (jdbc:postgresql://...); required.")
  String db;

  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "8080",
      description = "Port to listen on (0: any free port); default ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address to listen on; default ${DEFAULT-VALUE} (this machine only).")
  String bind;

  @Option(
      names = "--tls-keystore",
      paramLabel = "F.p12",
      description = "Serve HTTPS only, with the key and certificate of this PKCS12 keystore.")
  Path tlsKeystore;

  @Option(
      names = "--tls-password-file",
      paramLabel = "FILE",
      description = "A file whose first line is the keystore's password.")
  Path tlsPasswordFile;

  @Option(
      names = "--max-upload-bytes",
      paramLabel = "N",
      defaultValue = "" + ServeSettings.DEFAULT_MAX_UPLOAD_BYTES,
      description = "Largest request body; default ${DEFAULT-VALUE} bytes.")
  long maxUploadBytes;

  @Option(
      names = "--max-pixels",
      paramLabel = "N",
      defaultValue = "" + ServeSettings.DEFAULT_MAX_PIXELS,
      description =
          "Most pixels an uploaded image may declare, checked before decoding; default ${DEFAULT-VALUE}.")
  long maxPixels;

  @Option(
      names = "--rate",
      defaultValue = "20",
      paramLabel = "R",
      description =
          "Requests per second each API key may make (bursts of 2R); default ${DEFAULT-VALUE}.")
  double rate;

  @Option(
      names = "--figures",
      paramLabel = "DIR",
      description =
          "Folder with the evaluation's roc.png and det.png for the page; default: the operating point's source, when it is such a folder.")
  Path figures;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    // not picocli's required options: those would be demanded of 'serve keys' too
    if (model == null || operatingPoint == null || db == null) {
      throw new UserInputException("give --model, --operating-point and --db");
    }
    OperatingPoint point = OperatingPointFile.read(operatingPoint);
    ServeSettings settings = settings(point);
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = TrainedModel.load(model, manager);
      String id = ModelFingerprint.of(m.dir());
      if (point.modelId() == null) {
        throw new UserInputException(
            operatingPoint
                + " names no model (it was calibrated without --model): calibrate again with"
                + " --model "
                + model
                + " so that the threshold is tied to the model it was measured on");
      }
      if (!id.equals(point.modelId())) {
        throw new UserInputException(
            operatingPoint
                + " was calibrated on model "
                + point.modelId()
                + ", but "
                + model
                + " is model "
                + id
                + ": a threshold holds only for the model it was measured on; calibrate this"
                + " model's evaluation with 'qmargin calibrate'");
      }
      SampleEmbedder embedder =
          new SampleEmbedder(m, manager, new ImageSizeGuard(settings.maxPixels()));
      // Ctrl-C or SIGTERM: the server stops and the database closes before the JVM halts
      try (StopSignal stop = StopSignal.install()) {
        try (TemplateStore store = TemplateStores.open(db, id, m.config().model().embeddingDim());
            VerificationServer server =
                new VerificationServer(store, embedder, point, settings).start()) {
          out.printf(
              Locale.ROOT,
              "serving %s (model %s, %s samples; accept score >= %.6f, FAR %.3g at target %.3g);"
                  + " %d subjects in %s; the page is at %s/%n",
              server.url(),
              id,
              embedder.sampleKind(),
              point.threshold(),
              point.far(),
              point.targetFar(),
              store.count(),
              db,
              server.url());
          out.flush();
          stop.await();
        }
      }
    }
    return 0;
  }

  private ServeSettings settings(OperatingPoint point) throws IOException {
    if ((tlsKeystore == null) != (tlsPasswordFile == null)) {
      throw new UserInputException("--tls-keystore and --tls-password-file go together");
    }
    String password = tlsKeystore == null ? null : tlsPassword();
    Path figureDir = figures != null ? figures : evaluationFolder(point, operatingPoint);
    if (figures != null && !Files.isDirectory(figures)) {
      throw new UserInputException(figures + ": no such folder");
    }
    return UserInputException.whenInvalid(
        () ->
            new ServeSettings(
                bind,
                port,
                maxUploadBytes,
                maxPixels,
                rate,
                (int) Math.max(1, Math.ceil(2 * rate)),
                tlsKeystore,
                password,
                figureDir));
  }

  private String tlsPassword() throws IOException {
    if (!Files.isRegularFile(tlsKeystore)) {
      throw new UserInputException(tlsKeystore + ": no such keystore");
    }
    if (!Files.isRegularFile(tlsPasswordFile)) {
      throw new UserInputException(tlsPasswordFile + ": no such password file");
    }
    List<String> lines = Files.readAllLines(tlsPasswordFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new UserInputException(tlsPasswordFile + ": empty; its first line is the password");
    }
    return lines.get(0);
  }

  /**
   * The evaluation folder an operating point was calibrated on, when its source names one that
   * holds the plots (as written, or relative to the operating point's folder); null otherwise.
   */
  static Path evaluationFolder(OperatingPoint point, Path file) {
    if (point.source() == null) {
      return null;
    }
    Path source = Path.of(point.source());
    for (Path p : List.of(source, file.toAbsolutePath().getParent().resolve(source))) {
      Path dir = Files.isRegularFile(p) ? p.toAbsolutePath().getParent() : p;
      if (dir != null && Files.isRegularFile(dir.resolve("roc.png"))) {
        return dir;
      }
    }
    return null;
  }

  /** {@code qmargin serve keys}: create, list and revoke the service's API keys. */
  @Command(
      name = "keys",
      mixinStandardHelpOptions = true,
      description = {
        "Manage API keys, stored hashed in the service's database:",
        "  create NAME --scope enrol,verify,admin   prints the secret once",
        "  list                                      names and scopes",
        "  revoke NAME"
      })
  static final class Keys implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Parameters(
        index = "0",
        paramLabel = "ACTION",
        description = "create, list or revoke")
    String action;

    @picocli.CommandLine.Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "NAME",
        description = "The key's name (create, revoke).")
    String name;

    @Option(
        names = "--db",
        required = true,
        paramLabel = "URL|PATH",
        description = "The service's database.")
    String db;

    @Option(
        names = "--scope",
        split = ",",
        paramLabel = "SCOPE",
        description = "create: enrol, verify and/or admin (admin may do everything).")
    List<String> scopes;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (StoreDatabase database = StoreDatabase.open(StoreDatabase.Settings.of(db))) {
        ApiKeyStore keys = database.keys();
        switch (action) {
          case "create" -> {
            String n = requireName();
            if (scopes == null || scopes.isEmpty()) {
              throw new UserInputException(
                  "give the key's scopes with --scope (" + Scopes.WORDS + ")");
            }
            EnumSet<Scope> set = EnumSet.noneOf(Scope.class);
            for (String s : scopes) {
              set.add(Scopes.parse(s).orElseThrow(() -> new UserInputException(Scopes.unknown(s))));
            }
            if (keys.list().stream().anyMatch(k -> k.name().equals(n))) {
              throw new UserInputException("an API key named '" + n + "' exists already in " + db);
            }
            String secret = keys.create(n, set);
            out.println(secret);
            spec.commandLine()
                .getErr()
                .println(
                    "created key '"
                        + n
                        + "' ("
                        + String.join(",", set.stream().map(Scopes::word).toList())
                        + "); its secret (above) is shown only now");
          }
          case "list" -> {
            for (ApiKeyStore.ApiKey k : keys.list()) {
              out.println(
                  k.name()
                      + "\t"
                      + String.join(",", k.scopes().stream().map(Scopes::word).sorted().toList()));
            }
          }
          case "revoke" -> {
            String n = requireName();
            if (!keys.revoke(n)) {
              throw new UserInputException("no API key named '" + n + "' in " + db);
            }
            out.println("revoked key '" + n + "'");
          }
          default ->
              throw new UserInputException(
                  "unknown action '" + action + "'; use create, list or revoke");
        }
      }
      out.flush();
      return 0;
    }

    private String requireName() {
      if (name == null) {
        throw new UserInputException(action + " needs the key's NAME");
      }
      if (!Scopes.KEY_NAME.matcher(name).matches()) {
        throw new UserInputException(Scopes.keyNameProblem(name));
      }
      return name;
    }
  }
}
