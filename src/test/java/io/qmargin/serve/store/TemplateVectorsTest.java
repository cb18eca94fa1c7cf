package io.qmargin.serve.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateVectorsTest {

  @Test
  void poolingNormalisesEachSampleBeforeAveraging() {
    // (3,4) -> (0.6,0.8); (10,0) -> (1,0); mean (0.8,0.4), norm sqrt(0.8) -> (2,1)/sqrt 5
    float[] t = TemplateVectors.pool(List.of(new float[] {3, 4}, new float[] {10, 0}), 2);
    assertThat(t)
        .containsExactly(
            new float[] {(float) (2 / Math.sqrt(5)), (float) (1 / Math.sqrt(5))}, within(1e-7f));
    assertThat(TemplateVectors.normalized(new float[] {0, -2}, 2)).containsExactly(0f, -1f);
  }

  @Test
  void storageBytesAreLittleEndianFloat32AndReadBack() {
    float[] v = {1.5f, -2f, Float.MIN_VALUE};
    byte[] b = TemplateVectors.toBytes(v);
    assertThat(b).hasSize(12);
    // 1.5f = 0x3FC00000, low byte first
    assertThat(b).startsWith((byte) 0, (byte) 0, (byte) 0xC0, (byte) 0x3F);
    assertThat(TemplateVectors.fromBytes(b, 3)).containsExactly(v);
    assertThatThrownBy(() -> TemplateVectors.fromBytes(b, 4))
        .hasMessage("stored vector has 12 bytes, expected 16 (4 floats)");
  }

  @Test
  void invalidEmbeddingsAreRefusedByName() {
    assertThatThrownBy(() -> TemplateVectors.normalized(new float[] {0, 0}, 2))
        .hasMessage("embedding is all zeros");
    assertThatThrownBy(() -> TemplateVectors.normalized(new float[] {1, Float.NaN}, 2))
        .hasMessage("embedding component 1 is NaN");
    assertThatThrownBy(() -> TemplateVectors.pool(List.of(), 2))
        .hasMessage("no sample embeddings to pool");
    assertThatThrownBy(
            () -> TemplateVectors.pool(List.of(new float[] {1, 0}, new float[] {-1, 0}), 2))
        .hasMessage("the sample embeddings cancel out: their mean is zero");
  }
}
