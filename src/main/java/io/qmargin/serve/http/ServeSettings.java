package io.qmargin.serve.http;

import java.nio.file.Path;

/**
 * How {@link VerificationServer} listens and what it accepts.
 *
 * @param bind the address to listen on (127.0.0.1: this machine only)
 * @param port the port (0: any free port, see {@link VerificationServer#port()})
 * @param maxUploadBytes the largest request body, in bytes (413 above)
 * @param maxPixels the most pixels an uploaded image may declare in its header (413 above)
 * @param ratePerSecond requests per second each API key may make on average (429 above)
 * @param rateBurst requests a key may make at once before the rate applies
 * @param tlsKeystore a PKCS12 keystore with the server's key and certificate, or null for plain
 *     HTTP
 * @param tlsPassword the keystore's password (null without TLS)
 * @param figures a folder with the evaluation's {@code roc.png} and {@code det.png}, shown on the
 *     page, or null
 */
public record ServeSettings(
    String bind,
    int port,
    long maxUploadBytes,
    long maxPixels,
    double ratePerSecond,
    int rateBurst,
    Path tlsKeystore,
    String tlsPassword,
    Path figures) {

  /** 20 MB: a few photos or a minute of 16-bit stereo audio at 44.1 kHz per request. */
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 20L << 20;

  /** The image guard's default pixel limit. */
  public static final long DEFAULT_MAX_PIXELS = io.qmargin.serve.ImageSizeGuard.DEFAULT_MAX_PIXELS;

  public ServeSettings {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("no address to bind");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException(
          "max upload bytes must be positive, got " + maxUploadBytes);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("max pixels must be positive, got " + maxPixels);
    }
    if (!(ratePerSecond > 0) || rateBurst < 1) {
      throw new IllegalArgumentException(
          "the rate must be positive and the burst at least 1, got "
              + ratePerSecond
              + "/s, burst "
              + rateBurst);
    }
    if ((tlsKeystore == null) != (tlsPassword == null)) {
      throw new IllegalArgumentException("a TLS keystore needs its password, and only then");
    }
  }

  /** Plain HTTP on 127.0.0.1 with the default limits and a rate of 50 requests/s (burst 100). */
  public static ServeSettings localhost(int port) {
    return new ServeSettings(
        "127.0.0.1", port, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_MAX_PIXELS, 50, 100, null, null, null);
  }

  public ServeSettings withRate(double perSecond, int burst) {
    return new ServeSettings(
        bind, port, maxUploadBytes, maxPixels, perSecond, burst, tlsKeystore, tlsPassword, figures);
  }

  public ServeSettings withLimits(long uploadBytes, long pixels) {
    return new ServeSettings(
        bind,
        port,
        uploadBytes,
        pixels,
        ratePerSecond,
        rateBurst,
        tlsKeystore,
        tlsPassword,
        figures);
  }

  public ServeSettings withTls(Path keystore, String password) {
    return new ServeSettings(
        bind,
        port,
        maxUploadBytes,
        maxPixels,
        ratePerSecond,
        rateBurst,
        keystore,
        password,
        figures);
  }

  public ServeSettings withFigures(Path dir) {
    return new ServeSettings(
        bind,
        port,
        maxUploadBytes,
        maxPixels,
        ratePerSecond,
        rateBurst,
        tlsKeystore,
        tlsPassword,
        dir);
  }
}
