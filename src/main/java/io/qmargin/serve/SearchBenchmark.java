package io.qmargin.serve;

import io.qmargin.serve.store.TemplateMatrix;
import io.qmargin.serve.store.TemplateStore;
import io.qmargin.serve.store.TemplateStores;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Measures 1:N identification latency: exact cosine top-k over {@code n} random unit templates, on
 * the in-memory matrix alone and through a {@link TemplateStore} (bulk-loaded, then reopened so
 * that the load from the database is measured too). Each query is timed on its own, after a few
 * untimed ones.
 */
public final class SearchBenchmark {
  private SearchBenchmark() {}

  /** Untimed queries before the timed ones (the JIT compiles the search loop meanwhile). */
  static final int WARM_UP = 20;

  /** Latency percentiles of the timed queries, in milliseconds. */
  public record Latency(double p50, double p99, double mean, int queries) {
    static Latency of(double[] millis) {
      double[] s = millis.clone();
      Arrays.sort(s);
      return new Latency(
          percentile(s, 0.50), percentile(s, 0.99), Arrays.stream(s).average().orElse(0), s.length);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
      int rank = (int) Math.ceil(q * sorted.length);
      return sorted[Math.max(0, rank - 1)];
    }
  }

  /** Through the store: seconds to open it (loading every template) and the query latency. */
  public record StoreTiming(double loadSeconds, Latency latency) {}

  /** A random unit vector (uniform components, then normalised: direction is all that matters). */
  static float[] unit(SplittableRandom rnd, int d) {
    float[] v = new float[d];
    double s = 0;
    for (int i = 0; i < d; i++) {
      v[i] = (float) (rnd.nextDouble() * 2 - 1);
      s += (double) v[i] * v[i];
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int i = 0; i < d; i++) {
      v[i] *= inv;
    }
    return v;
  }

  /** The in-memory matrix alone. */
  public static Latency matrix(int n, int d, int k, int queries, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    TemplateMatrix m = new TemplateMatrix(d);
    m.reserve(n);
    for (int i = 0; i < n; i++) {
      m.put(id(i), unit(rnd, d));
    }
    return time(queries, rnd, d, q -> m.topK(q, k));
  }

  /**
   * Through a store at {@code dbPath} (a new H2 database): bulk-loads {@code n} subjects of one
   * sample each, reopens the store, then times queries.
   */
  public static StoreTiming store(String dbPath, int n, int d, int k, int queries, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    try (TemplateStore store = TemplateStores.open(dbPath, "bench", d)) {
      int chunk = 10_000;
      for (int from = 0; from < n; from += chunk) {
        Map<String, List<float[]>> batch = new HashMap<>();
        for (int i = from; i < Math.min(n, from + chunk); i++) {
          batch.put(id(i), List.of(unit(rnd, d)));
        }
        store.addSubjects(batch, "bench");
      }
    }
    long t0 = System.nanoTime();
    try (TemplateStore store = TemplateStores.open(dbPath, "bench", d)) {
      double load = (System.nanoTime() - t0) / 1e9;
      Latency l = time(queries, rnd, d, q -> store.topK(q, k));
      return new StoreTiming(load, l);
    }
  }

  private static Latency time(int queries, SplittableRandom rnd, int d, Consumer<float[]> search) {
    for (int w = 0; w < WARM_UP; w++) {
      search.accept(unit(rnd, d));
    }
    double[] ms = new double[queries];
    for (int q = 0; q < queries; q++) {
      float[] probe = unit(rnd, d);
      long t0 = System.nanoTime();
      search.accept(probe);
      ms[q] = (System.nanoTime() - t0) / 1e6;
    }
    return Latency.of(ms);
  }

  private static String id(int i) {
    return String.format("subject-%07d", i);
  }
}
