package io.qmargin.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.UserInputException;
import io.qmargin.data.DataFiles;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.serve.ImageSizeGuard;
import io.qmargin.serve.ModelFingerprint;
import io.qmargin.serve.OperatingPoint;
import io.qmargin.serve.http.SampleEmbedder;
import io.qmargin.serve.http.ServeHttpBenchmark;
import io.qmargin.serve.http.ServeSettings;
import io.qmargin.serve.http.VerificationServer;
import io.qmargin.serve.store.Scope;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import io.qmargin.train.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin bench serve-http}: the service's HTTP throughput and latency under concurrent
 * clients, on this machine's loopback: enrolment, then verification, through a server started here
 * on a temporary H2 database.
 */
@Command(
    name = "serve-http",
    mixinStandardHelpOptions = true,
    description = {
      "Measures the verification service over HTTP on 127.0.0.1: a server with the model and a",
      "temporary H2 database; CLIENTS concurrent clients enrol N subjects (one sample each), then",
      "verify N samples against them. Prints requests/s and p50/p99 latency per request (the model",
      "embeds every sample, so this is mostly the model's speed on this machine's cores)."
    })
final class ServeHttpBenchmarkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ModelDirOption modelDir;

  @Option(
      names = "--samples",
      required = true,
      paramLabel = "DIR",
      description =
          "Files of the model's kind (face crops or recordings), used in turn, e.g. a data set folder.")
  Path samples;

  @Option(
      names = "--clients",
      paramLabel = "C",
      description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients = 32;

  @Option(
      names = "--requests",
      paramLabel = "N",
      description = "Enrolments, and as many verifications (default: ${DEFAULT-VALUE}).")
  int requests = 2000;

  @Option(names = "--out", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (clients < 1 || requests < 1) {
      throw new UserInputException("--clients and --requests must be at least 1");
    }
    if (!Files.isDirectory(samples)) {
      throw new UserInputException(samples + ": no such folder");
    }
    PrintWriter w = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("qmargin-bench-serve-http");
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = TrainedModel.load(modelDir.model, manager);
      String id = ModelFingerprint.of(m.dir());
      SampleEmbedder embedder =
          new SampleEmbedder(m, manager, new ImageSizeGuard(ImageSizeGuard.DEFAULT_MAX_PIXELS));
      List<byte[]> files = new ArrayList<>();
      for (Path p : DataFiles.visibleFilesBelow(samples)) {
        byte[] b = Files.readAllBytes(p);
        if (embedder.looksLikeSample(b)) {
          files.add(b);
        }
        if (files.size() == requests) {
          break;
        }
      }
      if (files.isEmpty()) {
        throw new UserInputException(
            samples + ": no " + embedder.sampleKind() + " files for this model");
      }
      // the decisions do not matter here: any threshold will do
      OperatingPoint point = new OperatingPoint(id, 1e-3, 0.5, 1e-3, 0, 0, 0, 0, 0, "benchmark");
      try (TemplateStore store =
              TemplateStores.open(
                  dir.resolve("templates").toString(), id, m.config().model().embeddingDim());
          VerificationServer server =
              new VerificationServer(
                      store,
                      embedder,
                      point,
                      ServeSettings.localhost(0).withRate(1e9, Integer.MAX_VALUE))
                  .start()) {
        String key = store.keys().create("bench", Set.of(Scope.ENROL, Scope.VERIFY));
        ServeHttpBenchmark bench =
            new ServeHttpBenchmark(server.url(), key, HttpClient.newHttpClient());
        int n = files.size();
        w.printf(
            Locale.ROOT,
            "HTTP on 127.0.0.1, %d clients, %d %s samples, %d cores%n%8s %9s %8s %10s %9s %9s%n",
            clients,
            n,
            embedder.sampleKind(),
            Runtime.getRuntime().availableProcessors(),
            "route",
            "requests",
            "errors",
            "req/s",
            "p50 ms",
            "p99 ms");
        ServeHttpBenchmark.Result enrol =
            bench.enrol(clients, requests, "bench", i -> List.of(files.get(i % n)));
        print(w, enrol);
        ServeHttpBenchmark.Result verify =
            bench.verify(clients, requests, i -> "bench-" + i, i -> files.get((i + 1) % n));
        print(w, verify);
        if (out != null) {
          ObjectNode json = Json.mapper().createObjectNode();
          summary(json.putObject("enrol"), enrol);
          summary(json.putObject("verify"), verify);
          AtomicFiles.writeString(out, Json.pretty(json));
          w.println("wrote " + out);
        }
      }
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(ServeHttpBenchmarkCommand::delete);
      }
    }
    w.flush();
    return 0;
  }

  /** What the JSON keeps of a result (not the acknowledged subject ids). */
  private static void summary(ObjectNode o, ServeHttpBenchmark.Result r) {
    o.put("clients", r.clients());
    o.put("requests", r.requests());
    o.put("ok", r.ok());
    o.put("per_second", r.perSecond());
    o.put("p50_ms", r.p50Ms());
    o.put("p99_ms", r.p99Ms());
  }

  private static void print(PrintWriter w, ServeHttpBenchmark.Result r) {
    w.printf(
        Locale.ROOT,
        "%8s %9d %8d %10.1f %9.1f %9.1f%n",
        r.kind(),
        r.requests(),
        r.requests() - r.ok(),
        r.perSecond(),
        r.p50Ms(),
        r.p99Ms());
    for (String f : r.failures()) {
      w.println("  failed: " + f);
    }
    w.flush();
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
