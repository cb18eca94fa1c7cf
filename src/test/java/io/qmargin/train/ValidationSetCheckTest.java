package io.qmargin.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import io.qmargin.data.face.PickleWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A validation set that cannot give a result stops the run before its first step, naming the entry.
 */
class ValidationSetCheckTest {
  @TempDir Path dir;

  private static byte[] jpeg(int rgb) throws IOException {
    BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 112; y++) {
      for (int x = 0; x < 112; x++) {
        img.setRGB(x, y, rgb ^ (x * y));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return out.toByteArray();
  }

  @Test
  void aBinWithAnUndecodableImageIsRefusedBeforeTheFirstStep() throws IOException {
    Path bin = dir.resolve("lfw.bin");
    byte[] good = jpeg(0x336699);
    byte[] broken = "these bytes are no image".getBytes(StandardCharsets.US_ASCII);
    Files.write(bin, PickleWriter.validationBin(List.of(good, good, broken, good), true, false));
    Path run = dir.resolve("run");
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings("validation.type=bin", "validation.path=" + bin),
                    run,
                    false,
                    TrainingListener.QUIET))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("image 2 cannot be used")
        .hasMessageContaining(bin + "#2");
    assertThat(run.resolve("metrics.jsonl")).doesNotExist();
    assertThat(run.resolve("checkpoints")).doesNotExist();
  }

  /** The config refuses fewer than two held-out identities before any data is made. */
  @Test
  void heldOutIdentitiesWithoutADifferentPairAreRefusedBeforeTheFirstStep() {
    Path run = dir.resolve("one");
    assertThatThrownBy(
            () ->
                TinyRuns.train(
                    TinyRuns.settings("validation.identities=1"),
                    run,
                    false,
                    TrainingListener.QUIET))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("validation.identities must be >= 2, got 1");
    assertThat(run.resolve("metrics.jsonl")).doesNotExist();
  }

  /** Held-out sets of other sources (image folders, speech) are checked by the validator itself. */
  @Test
  void anAllPairsSetNeedsASameAndADifferentIdentityPair() {
    AllPairsValidator oneIdentity =
        new AllPairsValidator(
            "held out", (e, p) -> new float[0], new int[] {3, 3, 3, 3}, List.of(1e-3));
    assertThatThrownBy(oneIdentity::check)
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "held out: 4 samples of 1 identities: validation needs at least one same-identity and one "
                + "different-identity pair");
    AllPairsValidator noSamePair =
        new AllPairsValidator(
            "held out", (e, p) -> new float[0], new int[] {0, 1, 2}, List.of(1e-3));
    assertThatThrownBy(noSamePair::check).hasMessageContaining("3 samples of 3 identities");
    new AllPairsValidator("held out", (e, p) -> new float[0], new int[] {0, 0, 1}, List.of(1e-3))
        .check();
  }
}
