package io.qmargin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.qmargin.Progress;
import io.qmargin.data.face.ImageDecoder;
import io.qmargin.data.face.Preprocessing;
import io.qmargin.io.Npy;
import io.qmargin.train.Embedder;
import io.qmargin.train.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qmargin embed --images}: the images training would read, with the crop and size training
 * used.
 */
class EmbedImagesTest {
  private static final int SIDE = 32;
  private static final int CROP = 24;

  @TempDir static Path shared;
  @TempDir Path dir;

  private static Path run;

  /** A tiny synthetic-face model whose inputs are a 24-pixel centre crop resized to 32 x 32. */
  @BeforeAll
  static void trainTinyFaceModelWithACrop() {
    run = shared.resolve("run");
    CliCapture train = new CliCapture();
    int code =
        train.run(
            "train",
            "--out",
            run.toString(),
            "--set",
            "data.identities=8",
            "--set",
            "data.samples_per_identity=2",
            "--set",
            "data.image_size=" + SIDE,
            "--set",
            "data.crop=" + CROP,
            "--set",
            "model.embedding_dim=16",
            "--set",
            "batch_size=8",
            "--set",
            "schedule.epochs=1",
            "--set",
            "validation.type=none");
    assertThat(code).as(train.err.toString()).isZero();
  }

  /** A 40 x 48 image whose every pixel differs from its neighbours and its mirror image. */
  private static BufferedImage gradient() {
    BufferedImage img = new BufferedImage(40, 48, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, ((x * 6) << 16) | ((y * 5) << 8) | ((x * y) & 0xff));
      }
    }
    return img;
  }

  /** The image as a binary PPM (P6), the format of the .pnm files training reads. */
  private static byte[] pnm(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ("P6\n" + img.getWidth() + " " + img.getHeight() + "\n255\n")
            .getBytes(StandardCharsets.US_ASCII));
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        out.write((p >>> 16) & 0xff);
        out.write((p >>> 8) & 0xff);
        out.write(p & 0xff);
      }
    }
    return out.toByteArray();
  }

  private float[] embedWithTheCli(Path images, Path keys) {
    Path e = dir.resolve("e.npy");
    CliCapture c = new CliCapture();
    assertThat(
            c.run(
                "embed",
                "--model",
                run.toString(),
                "--images",
                images.toString(),
                "--out",
                e.toString(),
                "--keys",
                keys.toString()))
        .as(c.err.toString())
        .isZero();
    return Npy.read(e).toFloats();
  }

  /** The model's embeddings of {@code files} under a given preprocessing, computed here. */
  private static float[] reference(List<Path> files, Preprocessing pre) {
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel m = TrainedModel.load(run, manager);
      return new Embedder(m.backbone(), manager, m.sampleShape(), 4)
          .embed(
              files.size(),
              i -> pre.apply(ImageDecoder.decode(files.get(i)), false),
              false,
              Progress.NONE);
    }
  }

  @Test
  void aFolderIsListedAsTrainingListsImagesPnmAndUnnamedImagesIncluded() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images/sub"));
    ImageIO.write(gradient(), "png", images.resolve("a.png").toFile());
    Files.write(images.resolve("b.pnm"), pnm(gradient()));
    ImageIO.write(
        gradient(), "png", images.resolve("c").toFile()); // no extension: known by its first bytes
    Files.writeString(images.resolve("notes.txt"), "not an image");
    Files.writeString(images.resolve(".hidden.png"), "not listed");
    Path keys = dir.resolve("k.txt");

    float[] e = embedWithTheCli(dir.resolve("images"), keys);

    assertThat(Files.readAllLines(keys)).containsExactly("sub/a.png", "sub/b.pnm", "sub/c");
    // one picture in three formats: one embedding
    int d = e.length / 3;
    for (int k = 0; k < d; k++) {
      assertThat(e[d + k]).isCloseTo(e[k], within(1e-6f));
      assertThat(e[2 * d + k]).isCloseTo(e[k], within(1e-6f));
    }
  }

  @Test
  void imagesGetTheCropAndSizeTheModelWasTrainedWith() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images"));
    Path file = images.resolve("a.png");
    ImageIO.write(gradient(), "png", file.toFile());

    float[] e = embedWithTheCli(images, dir.resolve("k.txt"));

    // data.crop 24, data.image_size 32: the centre 24 x 24 pixels resized to 32 x 32, not flipped
    float[] cropped = reference(List.of(file), new Preprocessing(CROP, SIDE, SIDE, 0, 0));
    float[] whole = reference(List.of(file), new Preprocessing(0, SIDE, SIDE, 0, 0));
    double toCropped = 0;
    double toWhole = 0;
    for (int k = 0; k < e.length; k++) {
      toCropped = Math.max(toCropped, Math.abs(e[k] - cropped[k]));
      toWhole = Math.max(toWhole, Math.abs(e[k] - whole[k]));
    }
    assertThat(toCropped).isLessThan(1e-6);
    assertThat(toWhole)
        .isGreaterThan(1e-3); // the crop matters for this image, so the check above has teeth
  }
}
