package io.qmargin.serve;

import io.qmargin.UserInputException;
import io.qmargin.io.FileErrors;
import io.qmargin.train.TrainedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The identity of a model: the first 16 hex digits of a SHA-256 over its files. For a run directory
 * or model folder that is every file of the model folder ({@code model.json}, the weights, anything
 * else in it), each as its path relative to the folder, its length and its bytes, in path order;
 * for a single model file, that file. Two models share a fingerprint only if their files are byte
 * for byte the same, wherever they are; any retraining changes it. The operating point and the
 * template store carry it, so that scores and templates of one model are never used with another.
 */
public final class ModelFingerprint {
  private ModelFingerprint() {}

  /** Hex digits kept: 64 bits, plenty to tell models apart, short enough to read. */
  static final int HEX_DIGITS = 16;

  /**
   * The fingerprint of a run directory, model folder or model file.
   *
   * @throws UserInputException if it is none of these, or cannot be read
   */
  public static String of(Path model) {
    try {
      MessageDigest sha = sha256();
      if (Files.isRegularFile(model)) {
        add(sha, model, model.getFileName().toString());
      } else {
        Path dir = TrainedModel.directory(model);
        List<Path> files;
        try (Stream<Path> all = Files.walk(dir)) {
          files =
              all.filter(Files::isRegularFile)
                  .filter(p -> !p.getFileName().toString().startsWith("."))
                  .sorted()
                  .toList();
        }
        for (Path f : files) {
          add(sha, f, dir.relativize(f).toString().replace('\\', '/'));
        }
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, HEX_DIGITS);
    } catch (IOException e) {
      throw unreadable(model, e);
    } catch (UncheckedIOException e) {
      throw unreadable(model, e.getCause());
    }
  }

  private static void add(MessageDigest sha, Path file, String name) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    sha.update(ByteBuffer.allocate(4).putInt(n.length).array());
    sha.update(n);
    sha.update(ByteBuffer.allocate(8).putLong(Files.size(file)).array());
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int r;
      while ((r = in.read(buf)) > 0) {
        sha.update(buf, 0, r);
      }
    }
  }

  private static UserInputException unreadable(Path model, IOException e) {
    return new UserInputException(
        model + ": cannot read the model to fingerprint it: " + FileErrors.describe(e), e);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
