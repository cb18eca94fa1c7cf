package io.qmargin.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.qmargin.io.AtomicFiles;
import io.qmargin.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code manifest.json} of a checkpoint: the size and SHA-256 of every file in it, by path relative
 * to the checkpoint. It is written last, once every other file is complete, so a checkpoint whose
 * files all match it is exactly what was saved; anything else (a missing or truncated file, a
 * flipped bit, an empty {@code state.json}) is damage.
 */
final class CheckpointManifest {
  static final String FILE = "manifest.json";

  private CheckpointManifest() {}

  /** Records every regular file under {@code checkpoint} in its manifest (atomically). */
  static void write(Path checkpoint) throws IOException {
    Map<String, Object> files = new LinkedHashMap<>();
    for (Path f : files(checkpoint)) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("size", Files.size(f));
      entry.put("sha256", sha256(f));
      files.put(relative(checkpoint, f), entry);
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format", 1);
    manifest.put("files", files);
    AtomicFiles.writeString(checkpoint.resolve(FILE), Json.pretty(manifest));
  }

  static boolean exists(Path checkpoint) {
    return Files.exists(checkpoint.resolve(FILE));
  }

  /**
   * What is wrong with {@code checkpoint} against its manifest, naming the file; empty when every
   * file it lists is present with its recorded size and checksum.
   */
  static Optional<String> damage(Path checkpoint) throws IOException {
    Path manifestFile = checkpoint.resolve(FILE);
    JsonNode files;
    try {
      files = Json.mapper().readTree(manifestFile.toFile()).get("files");
    } catch (IOException e) {
      return Optional.of(manifestFile + " cannot be read (" + e.getMessage() + ")");
    }
    if (files == null || !files.isObject() || files.isEmpty()) {
      return Optional.of(manifestFile + " lists no files");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path f = checkpoint.resolve(e.getKey()).normalize();
      if (!f.startsWith(checkpoint.normalize()) || !Files.isRegularFile(f)) {
        return Optional.of(f + " is missing");
      }
      long size = Files.size(f);
      long expected = e.getValue().path("size").asLong(-1);
      if (size != expected) {
        return Optional.of(f + " holds " + size + " bytes, the manifest records " + expected);
      }
      if (!sha256(f).equals(e.getValue().path("sha256").asText())) {
        return Optional.of(
            f + " does not match the SHA-256 in the manifest (the file was modified or damaged)");
      }
    }
    return Optional.empty();
  }

  private static List<Path> files(Path checkpoint) throws IOException {
    try (Stream<Path> s = Files.walk(checkpoint)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.equals(checkpoint.resolve(FILE)))
          .sorted()
          .toList();
    }
  }

  /** Forward slashes on every platform, so a manifest means the same everywhere. */
  private static String relative(Path checkpoint, Path file) {
    return checkpoint.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
