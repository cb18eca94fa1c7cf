package io.qmargin.data.fetch;

import io.qmargin.Progress;
import io.qmargin.UserInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Downloads LFW deep-funneled into {@code dest/lfw/}: the image tarball (extracted to {@code
 * lfw-deepfunneled/<Name>/<Name>_0001.jpg}) and the protocol files pairs.txt, pairsDevTrain.txt,
 * pairsDevTest.txt, people.txt, peopleDevTrain.txt, peopleDevTest.txt. Every download is checked
 * against a checksum before anything is kept: the tarball against {@code sha256} when given, else
 * (default URL only) against the MD5 that torchvision pins for it; the protocol files against
 * {@link #PROTOCOL_SHA256}. Everything is assembled in a temporary folder beside {@code dest/lfw}
 * and renamed into place at the end, so a failure or a wrong checksum leaves no partial {@code
 * lfw/}.
 */
public final class LfwFetch {
  /** The official location; it has moved before, hence {@code --url}. */
  public static final URI DEFAULT_TARBALL =
      URI.create("http://vis-www.cs.umass.edu/lfw/lfw-deepfunneled.tgz");

  /**
   * MD5 of lfw-deepfunneled.tgz as pinned by torchvision's LFW dataset (no SHA-256 is published).
   */
  public static final String DEFAULT_TARBALL_MD5 = "68331da3eb755a505a502b5aacb3c201";

  public static final URI DEFAULT_PROTOCOL_BASE = URI.create("http://vis-www.cs.umass.edu/lfw/");

  /**
   * SHA-256 of the official protocol files: the pairs files as pinned by scikit-learn's LFW
   * fetcher, the people files as pinned by torchvision's prototype LFW dataset (whose MD5s, pinned
   * by torchvision's LFWPeople, they also match).
   */
  public static final Map<String, String> PROTOCOL_SHA256 = pinned();

  private static Map<String, String> pinned() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("pairs.txt", "ea42330c62c92989f9d7c03237ed5d591365e89b3e649747777b70e692dc1592");
    m.put("pairsDevTrain.txt", "1d454dada7dfeca0e7eab6f65dc4e97a6312d44cf142207be28d688be92aabfa");
    m.put("pairsDevTest.txt", "7cb06600ea8b2814ac26e946201cdb304296262aad67d046a16a7ec85d0ff87c");
    m.put("people.txt", "bc8fa2b7f25c895cf7efb6de4f4fc27ca8b8d1cfa63350ad8b96eae2b198d365");
    m.put("peopleDevTrain.txt", "2e58df13ba4cc143189336e001cc2c195f1dfa5b29a6475c02857be353c2a2fa");
    m.put("peopleDevTest.txt", "c3ed1f90499473401542101a56c14c1d82396bb8218c67a356d7460601047555");
    return java.util.Collections.unmodifiableMap(m); // insertion order: pairs.txt first
  }

  /**
   * What to fetch: {@code tarball} and its expected {@code sha256} (null: the default URL's pinned
   * MD5), the folder of the protocol files (null: skip them), and the destination that gets {@code
   * lfw/}.
   */
  public record Request(URI tarball, String sha256, URI protocolBase, Path dest) {
    public Request {
      if (sha256 != null && !sha256.matches("(?i)[0-9a-f]{64}")) {
        throw new UserInputException("--sha256 must be 64 hex digits, got '" + sha256 + "'");
      }
      if (sha256 == null && !tarball.equals(DEFAULT_TARBALL)) {
        throw new UserInputException(
            "give --sha256 for a tarball from "
                + tarball
                + " (only the default URL has a pinned checksum)");
      }
    }
  }

  private LfwFetch() {}

  /** Fetches into {@code dest/lfw}; returns that folder. {@code log} receives one line per step. */
  public static Path fetch(Request request, Progress progress, Consumer<String> log)
      throws IOException {
    Path target = request.dest().resolve("lfw");
    if (Files.exists(target)) {
      throw new UserInputException(target + ": already exists; remove it or choose another --dest");
    }
    Files.createDirectories(request.dest());
    Path work = Files.createTempDirectory(request.dest(), ".lfw-fetch-");
    try {
      Path tgz = work.resolve("lfw-deepfunneled.tgz");
      Download.Digests d = Download.copy(request.tarball(), tgz, progress);
      if (request.sha256() != null) {
        check(request.tarball(), "SHA-256", request.sha256(), d.sha256());
      } else {
        check(request.tarball(), "MD5", DEFAULT_TARBALL_MD5, d.md5());
      }
      log.accept(
          "verified "
              + request.tarball()
              + " ("
              + d.bytes()
              + " bytes, sha256 "
              + d.sha256()
              + ")");
      Path lfw = work.resolve("lfw");
      Files.createDirectories(lfw);
      long files = TarGz.extract(tgz, lfw);
      Files.delete(tgz);
      log.accept("extracted " + files + " files");
      if (request.protocolBase() != null) {
        for (Map.Entry<String, String> e : PROTOCOL_SHA256.entrySet()) {
          URI url = request.protocolBase().resolve(e.getKey());
          Download.Digests p = Download.copy(url, lfw.resolve(e.getKey()), Progress.NONE);
          check(url, "SHA-256", e.getValue(), p.sha256());
          log.accept("verified " + url);
        }
      }
      try {
        Files.move(lfw, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(lfw, target);
      }
      return target;
    } finally {
      deleteTree(work);
    }
  }

  private static void check(URI url, String algorithm, String expected, String actual) {
    if (!expected.equalsIgnoreCase(actual)) {
      throw new UserInputException(
          url
              + ": "
              + algorithm
              + " mismatch: expected "
              + expected.toLowerCase()
              + ", got "
              + actual
              + " (corrupt or changed download; nothing was kept)");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
