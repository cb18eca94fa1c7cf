package io.qmargin.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmargin.UserInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageSizeGuardTest {

  private static byte[] encode(int w, int h, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), format, out))
        .isTrue();
    return out.toByteArray();
  }

  /** A PNG whose IHDR claims {@code w x h} (CRC fixed up), with the small image's pixel data. */
  private static byte[] pngClaiming(int w, int h) throws Exception {
    byte[] png = encode(4, 4, "png");
    // signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ..., CRC over type + data
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, w);
    b.putInt(20, h);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 4 + 13);
    b.putInt(12 + 4 + 13, (int) crc.getValue());
    return png;
  }

  @Test
  void realImagesWithinTheLimitPassWithTheirSize() throws Exception {
    ImageSizeGuard guard = new ImageSizeGuard(1000);
    assertThat(guard.check(encode(20, 30, "png"), "a.png"))
        .isEqualTo(new ImageSizeGuard.Header("PNG", 20, 30));
    assertThat(guard.check(encode(25, 40, "jpg"), "b.jpg"))
        .isEqualTo(new ImageSizeGuard.Header("JPEG", 25, 40));
  }

  @Test
  void aBombIsRefusedFromItsHeaderBeforeDecoding() throws Exception {
    byte[] bomb = pngClaiming(100_000, 100_000);
    assertThat(bomb.length).isLessThan(200);
    assertThatThrownBy(() -> new ImageSizeGuard(ImageSizeGuard.DEFAULT_MAX_PIXELS).check(bomb, "x"))
        .isInstanceOf(SampleTooLargeException.class)
        .hasMessage(
            "x: PNG of 100000 x 100000 = 10000000000 pixels, above the limit of 40000000 pixels;"
                + " send an aligned crop");
    assertThatThrownBy(() -> new ImageSizeGuard(599).check(encode(20, 30, "png"), "y.png"))
        .isInstanceOf(SampleTooLargeException.class)
        .hasMessageContaining("20 x 30 = 600 pixels, above the limit of 599");
  }

  @Test
  void somethingElseIsAClearError() throws Exception {
    ImageSizeGuard guard = new ImageSizeGuard(1000);
    assertThatThrownBy(() -> guard.check("hello, not an image".getBytes(), "note.txt"))
        .isInstanceOf(UserInputException.class)
        .isNotInstanceOf(SampleTooLargeException.class)
        .hasMessage("note.txt: not an image of a known format (PNG, JPEG, BMP, GIF)");
    byte[] truncated = Arrays.copyOf(encode(20, 30, "png"), 12);
    assertThatThrownBy(() -> guard.check(truncated, "cut.png"))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("cut.png: unreadable image header");
  }
}
