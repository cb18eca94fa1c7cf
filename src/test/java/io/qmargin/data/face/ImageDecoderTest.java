package io.qmargin.data.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

  /**
   * A valid 8 x 6 PNG whose IHDR chunk is rewritten to declare {@code w x h} (with a correct CRC).
   */
  private static byte[] pngDeclaring(int w, int h) {
    byte[] png = TestImages.encode(TestImages.image(8, 6, (x, y) -> (x * 30) << 8 | y * 40), "png");
    // signature (8), IHDR length (4), "IHDR" (4), width (4) at 16, height (4) at 20, ..., CRC after
    // 13 data bytes
    ByteBuffer b = ByteBuffer.wrap(png);
    assertThat(new String(png, 12, 4, StandardCharsets.US_ASCII)).isEqualTo("IHDR");
    b.putInt(16, w).putInt(20, h);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 4 + 13);
    b.putInt(12 + 4 + 13, (int) crc.getValue());
    return png;
  }

  @Test
  void aHeaderDeclaringTooManyPixelsIsRefusedBeforeDecoding() {
    byte[] huge = pngDeclaring(20000, 20000);
    assertThat(huge.length).isLessThan(1000);

    assertThatThrownBy(() -> ImageDecoder.decode(huge, "huge.png"))
        .isInstanceOf(CorruptImageException.class)
        .hasMessageStartingWith(
            "huge.png: the header declares 20000 x 20000 = 400000000 pixels, more than the 50000000");
    // The unmodified header decodes: the check reads the real dimensions.
    assertThat(ImageDecoder.decode(pngDeclaring(8, 6), "small.png").width()).isEqualTo(8);
  }

  @Test
  void pnmHeadersHaveTheSameLimit() {
    byte[] pgm = "P5\n10000 6000\n255\n".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ImageDecoder.decode(pgm, "big.pgm"))
        .isInstanceOf(CorruptImageException.class)
        .hasMessageContaining("10000 x 6000 = 60000000 pixels");
  }
}
