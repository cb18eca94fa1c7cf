package io.qmargin.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmargin.cli.QmarginCli;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine;

/**
 * A tiny face model (synthetic identities, 32 x 32, 16-dimensional embeddings, one epoch) trained
 * once per test JVM for the service's tests, and images to upload to it. Only the plumbing is under
 * test: the model's accuracy does not matter.
 */
public final class TinyFaceModel {
  private TinyFaceModel() {}

  private static Path run;

  /** The run directory, trained on first use; deleted when the JVM exits. */
  public static synchronized Path run() {
    if (run == null) {
      try {
        Path dir = Files.createTempDirectory("qmargin-serve-model");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Path out = dir.resolve("run");
        StringWriter err = new StringWriter();
        CommandLine cl = QmarginCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code =
            cl.execute(
                "train",
                "--out",
                out.toString(),
                "--set",
                "data.identities=8",
                "--set",
                "data.samples_per_identity=2",
                "--set",
                "data.image_size=32",
                "--set",
                "model.embedding_dim=16",
                "--set",
                "batch_size=8",
                "--set",
                "schedule.epochs=1",
                "--set",
                "validation.type=none");
        assertThat(code).as(err.toString()).isZero();
        run = out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return run;
  }

  /** A 40 x 48 PNG of seeded noise: different seeds give different embeddings. */
  public static byte[] png(long seed) {
    BufferedImage img = new BufferedImage(40, 48, BufferedImage.TYPE_INT_RGB);
    SplittableRandom r = new SplittableRandom(seed);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at exit
    }
  }
}
