package io.qmargin.data.fetch;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import io.qmargin.io.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Copies a URL to a file while computing its SHA-256 and MD5, reporting bytes to a {@link
 * Progress}. http(s) goes through {@link HttpClient} (redirects followed); other schemes such as
 * {@code file:} through {@link java.net.URL#openStream}.
 */
public final class Download {
  private Download() {}

  /** Hex digests of a downloaded file. */
  public record Digests(String sha256, String md5, long bytes) {}

  public static Digests copy(URI url, Path target, Progress progress) throws IOException {
    try {
      return fetch(url, target, progress);
    } catch (IOException e) {
      // a refused or dropped connection says nothing of where it was going (ConnectException
      // often has no message at all): name the URL
      if (e instanceof java.nio.file.FileSystemException fs) {
        throw FileErrors.named(fs); // the local file: it names itself
      }
      String message = e.getMessage() == null || e.getMessage().isBlank() ? null : e.getMessage();
      String why =
          e instanceof java.net.ConnectException
              ? "cannot connect" + (message == null ? "" : " (" + message + ")")
              : e instanceof java.net.UnknownHostException
                  ? "unknown host " + message
                  : message == null
                      ? e.getClass().getSimpleName()
                      : e.getClass().getSimpleName() + ": " + message;
      throw new UserInputException("cannot download " + url + ": " + why, e);
    }
  }

  private static Digests fetch(URI url, Path target, Progress progress) throws IOException {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      HttpClient client =
          HttpClient.newBuilder()
              .followRedirects(HttpClient.Redirect.NORMAL)
              .connectTimeout(Duration.ofSeconds(30))
              .build();
      HttpRequest request = HttpRequest.newBuilder(url).GET().build();
      HttpResponse<InputStream> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while connecting to " + url, e);
      }
      try (InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          throw new UserInputException(url + ": HTTP status " + response.statusCode());
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        return copy(in, total, target, url.toString(), progress);
      }
    }
    long total = -1;
    if (scheme.equals("file")) {
      Path p = Path.of(url);
      if (!Files.isRegularFile(p)) {
        throw new UserInputException(url + ": no such file");
      }
      total = Files.size(p);
    }
    try (InputStream in = url.toURL().openStream()) {
      return copy(in, total, target, url.toString(), progress);
    }
  }

  private static Digests copy(
      InputStream in, long total, Path target, String name, Progress progress) throws IOException {
    MessageDigest sha = digest("SHA-256");
    MessageDigest md5 = digest("MD5");
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (Progress bar =
            progress.start("download " + name.substring(name.lastIndexOf('/') + 1), total);
        OutputStream out = Files.newOutputStream(target)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        out.write(buf, 0, r);
        sha.update(buf, 0, r);
        md5.update(buf, 0, r);
        n += r;
        bar.step(r);
      }
    }
    if (total >= 0 && n != total) {
      throw new IOException(name + ": received " + n + " of " + total + " bytes");
    }
    HexFormat hex = HexFormat.of();
    return new Digests(hex.formatHex(sha.digest()), hex.formatHex(md5.digest()), n);
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every Java platform", e);
    }
  }
}
