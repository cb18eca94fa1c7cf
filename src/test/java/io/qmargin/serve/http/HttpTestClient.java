package io.qmargin.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A small HTTP client for the service's tests: JSON and multipart requests with an API key. */
public final class HttpTestClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client;
  private final String base;

  public HttpTestClient(String base) {
    this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
  }

  public HttpTestClient(String base, HttpClient client) {
    this.base = base;
    this.client = client;
  }

  /** A response: status, body text, a Retry-After header or null, the body as JSON. */
  public record Response(int status, String body, String contentType, String retryAfter) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  public Response get(String path, String key) {
    return send("GET", path, key, null, null);
  }

  public Response delete(String path, String key) {
    return send("DELETE", path, key, null, null);
  }

  public Response post(String path, String key, MultipartBody form) {
    return send("POST", path, key, form.bytes(), form.contentType());
  }

  public Response postJson(String path, String key, String json) {
    return send("POST", path, key, json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  public Response send(String method, String path, String key, byte[] body, String contentType) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    List<String> headers = new ArrayList<>();
    if (key != null) {
      headers.add("Authorization");
      headers.add("Bearer " + key);
    }
    if (contentType != null) {
      headers.add("Content-Type");
      headers.add(contentType);
    }
    if (!headers.isEmpty()) {
      b.headers(headers.toArray(String[]::new));
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(
          r.statusCode(),
          r.body(),
          r.headers().firstValue("Content-Type").orElse(""),
          r.headers().firstValue("Retry-After").orElse(null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
