package io.qmargin.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import io.qmargin.serve.SearchBenchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qmargin bench serve}: the verification service's speed, one section per measurement (each
 * prints its table and adds one key to the JSON of {@code --out}).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Measures the verification service. Section 'search': 1:N identify latency (exact cosine",
      "top-k) over N random templates, on the in-memory float32 matrix alone and through an H2",
      "store (bulk-loaded, reopened: the load time is printed too); p50/p99 of single queries."
    })
final class ServeBenchmarkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--sizes",
      split = ",",
      paramLabel = "N",
      description = "Numbers of enrolled templates (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes = List.of(100_000, 1_000_000);

  @Option(
      names = "--dimension",
      paramLabel = "D",
      description = "Embedding dimension (default: ${DEFAULT-VALUE}).")
  int dimension = 512;

  @Option(
      names = "--k",
      paramLabel = "K",
      description = "Matches per query (default: ${DEFAULT-VALUE}).")
  int k = 10;

  @Option(
      names = "--queries",
      paramLabel = "Q",
      description = "Timed queries per size (default: ${DEFAULT-VALUE}).")
  int queries = 100;

  @Option(
      names = "--no-store",
      description = "Measure the in-memory search only (no database is written).")
  boolean noStore;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where the benchmark's H2 databases go, deleted afterwards (default: a temporary folder).")
  Path workDir;

  @Option(names = "--out", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path out;

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    ObjectNode json = Json.mapper().createObjectNode();
    search(w, json.putArray("search"));
    // further sections (e.g. HTTP verify/enrol throughput) go here, each with its own JSON key
    if (out != null) {
      AtomicFiles.writeString(out, Json.pretty(json));
      w.println("wrote " + out);
    }
    w.flush();
    return 0;
  }

  private void search(PrintWriter w, ArrayNode json) throws IOException {
    w.printf(
        Locale.ROOT,
        "search: exact cosine top-%d, %d-dimensional float32 templates, %d queries per size,"
            + " %d threads%n",
        k,
        dimension,
        queries,
        Runtime.getRuntime().availableProcessors());
    w.printf(
        Locale.ROOT,
        "%12s  %22s  %22s  %10s%n",
        "templates",
        "matrix p50 / p99 ms",
        "store p50 / p99 ms",
        "store load");
    w.flush();
    Path dir = workDir != null ? workDir : Files.createTempDirectory("qmargin-bench-serve");
    Files.createDirectories(dir);
    try {
      for (int n : sizes) {
        SearchBenchmark.Latency m = SearchBenchmark.matrix(n, dimension, k, queries, 1);
        SearchBenchmark.StoreTiming s =
            noStore
                ? null
                : SearchBenchmark.store(
                    dir.resolve("store-" + n).toString(), n, dimension, k, queries, 2);
        w.printf(
            Locale.ROOT,
            "%12d  %10.2f / %9.2f  %22s  %10s%n",
            n,
            m.p50(),
            m.p99(),
            s == null
                ? "-"
                : String.format(
                    Locale.ROOT, "%10.2f / %9.2f", s.latency().p50(), s.latency().p99()),
            s == null ? "-" : String.format(Locale.ROOT, "%.1f s", s.loadSeconds()));
        w.flush();
        ObjectNode row = json.addObject();
        row.put("templates", n);
        row.put("dimension", dimension);
        row.put("k", k);
        row.set("matrix_ms", Json.mapper().valueToTree(m));
        if (s != null) {
          row.set("store_ms", Json.mapper().valueToTree(s.latency()));
          row.put("store_load_seconds", s.loadSeconds());
        }
      }
    } finally {
      deleteRecursively(dir, workDir == null);
    }
  }

  /** Deletes the databases written, and the folder itself if it was a temporary one. */
  private static void deleteRecursively(Path dir, boolean temporary) throws IOException {
    List<Path> doomed;
    try (Stream<Path> all = Files.walk(dir)) {
      doomed =
          all.filter(p -> temporary || !p.equals(dir))
              .filter(p -> temporary || dir.relativize(p).toString().startsWith("store-"))
              .sorted(Comparator.reverseOrder())
              .toList();
    }
    for (Path p : doomed) {
      Files.deleteIfExists(p);
    }
  }
}
