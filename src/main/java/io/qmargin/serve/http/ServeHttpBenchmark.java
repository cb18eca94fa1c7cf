package io.qmargin.serve.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Throughput and latency of the service's HTTP API under concurrent clients: {@code clients}
 * threads send {@code requests} requests in all, each waiting for its answer before sending the
 * next, to a running server. Enrolment requests enrol a new subject each ({@code prefix-N}) with
 * one sample; verify requests verify a sample against an enrolled subject. Latency is measured per
 * request at the client (send to last byte), so it includes the HTTP stack and the model's forward
 * pass. Used by {@code qmargin bench serve} and by the load test.
 */
public final class ServeHttpBenchmark {
  private final String baseUrl;
  private final String apiKey;
  private final HttpClient client;

  public ServeHttpBenchmark(String baseUrl, String apiKey, HttpClient client) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
    this.client = client;
  }

  /**
   * One measurement.
   *
   * @param ok requests answered with a 2xx status
   * @param failures the first few failures, with their status and message
   * @param acknowledged subject ids whose enrolment was answered 201
   */
  public record Result(
      String kind,
      int clients,
      int requests,
      int ok,
      double seconds,
      double perSecond,
      double p50Ms,
      double p99Ms,
      List<String> failures,
      List<String> acknowledged) {}

  /**
   * Enrols {@code requests} new subjects, {@code prefix-0} ..., subject i from {@code samples(i)}.
   */
  public Result enrol(int clients, int requests, String prefix, IntFunction<List<byte[]>> samples) {
    return run(
        "enrol",
        clients,
        requests,
        i -> {
          MultipartBody body = new MultipartBody().field("subject_id", prefix + "-" + i);
          List<byte[]> s = samples.apply(i);
          for (int j = 0; j < s.size(); j++) {
            body.file("sample", "sample-" + i + "-" + j, "application/octet-stream", s.get(j));
          }
          return new Call("/v1/subjects", body, prefix + "-" + i);
        });
  }

  /** Verifies {@code requests} samples, request {@code i} against {@code subject.apply(i)}. */
  public Result verify(
      int clients, int requests, IntFunction<String> subject, IntFunction<byte[]> sample) {
    return run(
        "verify",
        clients,
        requests,
        i ->
            new Call(
                "/v1/verify",
                new MultipartBody()
                    .field("subject_id", subject.apply(i))
                    .file("sample", "sample-" + i, "application/octet-stream", sample.apply(i)),
                null));
  }

  private record Call(String path, MultipartBody body, String enrols) {}

  private Result run(String kind, int clients, int requests, IntFunction<Call> call) {
    if (clients < 1 || requests < 1) {
      throw new IllegalArgumentException("clients and requests must be positive");
    }
    long[] nanos = new long[requests];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    Call k = call.apply(i);
                    long t0 = System.nanoTime();
                    String failure = send(k);
                    nanos[i] = System.nanoTime() - t0;
                    if (failure == null) {
                      ok.incrementAndGet();
                      if (k.enrols() != null) {
                        acknowledged.put(i, k.enrols());
                      }
                    } else if (failures.size() < 10) {
                      failures.add(failure);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a client failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Result(
        kind,
        clients,
        requests,
        ok.get(),
        seconds,
        requests / seconds,
        percentile(sorted, 0.50) / 1e6,
        percentile(sorted, 0.99) / 1e6,
        List.copyOf(failures),
        List.copyOf(new java.util.TreeMap<>(acknowledged).values()));
  }

  /** The nearest-rank percentile of sorted values. */
  static double percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** Sends one request; null when it was answered 2xx, else what went wrong. */
  private String send(Call c) {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(baseUrl + c.path()))
            .timeout(Duration.ofSeconds(120))
            .header("Authorization", "Bearer " + apiKey)
            .header("Content-Type", c.body().contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(c.body().bytes()))
            .build();
    try {
      HttpResponse<String> a = client.send(r, HttpResponse.BodyHandlers.ofString());
      return a.statusCode() / 100 == 2 ? null : c.path() + ": " + a.statusCode() + " " + a.body();
    } catch (IOException e) {
      return c.path() + ": " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return c.path() + ": interrupted";
    }
  }
}
