package io.qmargin.serve.http;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The service's counters in the Prometheus text exposition format (version 0.0.4): requests by
 * route, method and status; request latency as a histogram by route; verify and identify decisions
 * by outcome; the number of enrolled subjects. Thread-safe; the format is written by hand (a few
 * counters do not need a metrics library).
 */
public final class ServiceMetrics {
  /** Upper bounds of the latency histogram's buckets, in seconds. */
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();
  private final LongSupplier subjects;

  /**
   * @param subjects the number of enrolled subjects, read when the metrics are written
   */
  public ServiceMetrics(LongSupplier subjects) {
    this.subjects = subjects;
  }

  private static final class Histogram {
    final LongAdder[] counts = new LongAdder[BUCKETS.length];
    final LongAdder count = new LongAdder();
    final java.util.concurrent.atomic.DoubleAdder sum =
        new java.util.concurrent.atomic.DoubleAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double seconds) {
      for (int i = 0; i < BUCKETS.length; i++) {
        if (seconds <= BUCKETS[i]) {
          counts[i].increment();
        }
      }
      count.increment();
      sum.add(seconds);
    }
  }

  /** Counts one finished request ({@code route} is the route's template, never a subject id). */
  public void request(String method, String route, int status, double seconds) {
    String labels =
        "method=\"" + method + "\",route=\"" + escape(route) + "\",status=\"" + status + "\"";
    requests.computeIfAbsent(labels, k -> new LongAdder()).increment();
    latency
        .computeIfAbsent("route=\"" + escape(route) + "\"", k -> new Histogram())
        .observe(seconds);
  }

  /** Counts one decision: {@code kind} verify or identify. */
  public void decision(String kind, boolean accepted) {
    String labels = "kind=\"" + kind + "\",decision=\"" + (accepted ? "accept" : "reject") + "\"";
    decisions.computeIfAbsent(labels, k -> new LongAdder()).increment();
  }

  /** Everything, in the text format. */
  public String scrape() {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP qmargin_http_requests_total HTTP requests by method, route and status.\n");
    sb.append("# TYPE qmargin_http_requests_total counter\n");
    new TreeMap<>(requests).forEach((l, v) -> line(sb, "qmargin_http_requests_total", l, v.sum()));
    sb.append("# HELP qmargin_http_request_duration_seconds Time to answer a request.\n");
    sb.append("# TYPE qmargin_http_request_duration_seconds histogram\n");
    new TreeMap<>(latency)
        .forEach(
            (l, h) -> {
              for (int i = 0; i < BUCKETS.length; i++) {
                line(
                    sb,
                    "qmargin_http_request_duration_seconds_bucket",
                    l + ",le=\"" + number(BUCKETS[i]) + "\"",
                    h.counts[i].sum());
              }
              long n = h.count.sum();
              line(sb, "qmargin_http_request_duration_seconds_bucket", l + ",le=\"+Inf\"", n);
              sb.append("qmargin_http_request_duration_seconds_sum{")
                  .append(l)
                  .append("} ")
                  .append(number(h.sum.sum()))
                  .append('\n');
              line(sb, "qmargin_http_request_duration_seconds_count", l, n);
            });
    sb.append("# HELP qmargin_decisions_total Verify and identify decisions by outcome.\n");
    sb.append("# TYPE qmargin_decisions_total counter\n");
    new TreeMap<>(decisions).forEach((l, v) -> line(sb, "qmargin_decisions_total", l, v.sum()));
    sb.append("# HELP qmargin_enrolled_subjects Subjects enrolled now.\n");
    sb.append("# TYPE qmargin_enrolled_subjects gauge\n");
    sb.append("qmargin_enrolled_subjects ").append(subjects.getAsLong()).append('\n');
    return sb.toString();
  }

  private static void line(StringBuilder sb, String name, String labels, long value) {
    sb.append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%s", v);
  }

  /** A label value as the text format writes it: backslash, quote and newline escaped. */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
