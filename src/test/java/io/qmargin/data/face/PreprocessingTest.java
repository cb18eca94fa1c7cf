package io.qmargin.data.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qmargin.train.EpochOrder;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

  private static RgbImage rgb(int w, int h, java.util.function.IntBinaryOperator f) {
    int[] px = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[y * w + x] = f.applyAsInt(x, y);
      }
    }
    return new RgbImage(w, h, px);
  }

  @Test
  void normalisesToMinusOneOneInChwOrder() {
    RgbImage img = rgb(4, 2, (x, y) -> 0xff8000); // R 255, G 128, B 0
    float[] out = new Preprocessing(0, 2, 4, 0, 0).apply(img, false);
    assertThat(out).hasSize(3 * 2 * 4);
    for (int i = 0; i < 8; i++) {
      assertThat(out[i]).isEqualTo(1f);
      assertThat(out[8 + i]).isCloseTo(128 / 127.5f - 1, within(1e-6f));
      assertThat(out[16 + i]).isEqualTo(-1f);
    }
  }

  @Test
  void centreCropKeepsTheMiddleAndResizeKeepsConstantRegions() {
    // LFW-like 250x250: white square of 150 in the middle, black around it.
    RgbImage img =
        rgb(250, 250, (x, y) -> (x >= 50 && x < 200 && y >= 50 && y < 200) ? 0xffffff : 0);
    float[] out = Preprocessing.lfwDeepFunneled().deterministic().apply(img, 0, 0);
    assertThat(out).hasSize(3 * 112 * 112);
    for (float v : out) {
      assertThat(v).isCloseTo(1f, within(1e-5f));
    }
    // Without the crop, the border shows up black at the corners and white in the centre.
    float[] whole = new Preprocessing(0, 112, 112, 0, 0).apply(img, false);
    assertThat(whole[0]).isEqualTo(-1f);
    assertThat(whole[56 * 112 + 56]).isCloseTo(1f, within(1e-5f));
  }

  @Test
  void shrinkingAveragesInsteadOfAliasing() {
    // A 1-pixel checkerboard shrunk 4x must become mid-grey, not a moire of black and white.
    RgbImage img = rgb(224, 224, (x, y) -> ((x + y) % 2 == 0) ? 0xffffff : 0);
    float[] out = new Preprocessing(0, 56, 56, 0, 0).apply(img, false);
    for (int i = 8 * 56 + 8; i < 48 * 56; i += 7) {
      assertThat(out[i]).isCloseTo(0f, within(0.05f));
    }
  }

  @Test
  void flipMirrorsColumns() {
    RgbImage img = rgb(8, 3, (x, y) -> x * 30 << 16);
    Preprocessing p = new Preprocessing(0, 3, 8, 0, 0);
    float[] plain = p.apply(img, false);
    float[] flipped = p.apply(img, true);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 8; x++) {
        assertThat(flipped[y * 8 + x]).isEqualTo(plain[y * 8 + 7 - x]);
      }
    }
  }

  @Test
  void augmentationIsDeterministicPerSeedEpochAndIndex() {
    Preprocessing p = Preprocessing.insightface().withSeed(42);
    int flips = 0;
    int changed = 0;
    for (int i = 0; i < 2000; i++) {
      boolean f = p.flips(3, i);
      assertThat(new Preprocessing(0, 112, 112, 0.5, 42).flips(3, i)).isEqualTo(f);
      flips += f ? 1 : 0;
      changed += f != p.flips(4, i) ? 1 : 0;
    }
    assertThat(flips).isBetween(900, 1100); // probability 0.5
    assertThat(changed).isBetween(900, 1100); // the next epoch draws anew
    assertThat(p.withSeed(43).random(3, 7).nextLong()).isNotEqualTo(p.random(3, 7).nextLong());
    assertThat(p.withFlipProbability(0).flips(3, 1)).isFalse();
    assertThat(p.withFlipProbability(1).flips(3, 1)).isTrue();
  }

  @Test
  void epochOrderIsAPermutationFixedBySeedAndEpoch() {
    int[] a = EpochOrder.shuffled(7, 2, 1000);
    assertThat(a).isEqualTo(EpochOrder.shuffled(7, 2, 1000));
    assertThat(a).isNotEqualTo(EpochOrder.shuffled(7, 3, 1000));
    assertThat(java.util.Arrays.stream(a).sorted().toArray())
        .isEqualTo(java.util.stream.IntStream.range(0, 1000).toArray());
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(() -> new Preprocessing(-1, 112, 112, 0.5, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Preprocessing(0, 112, 112, 1.5, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
