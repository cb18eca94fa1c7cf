package io.qmargin.model.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import io.qmargin.EngineTest;
import io.qmargin.model.Backbones;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter counts of the DJL speaker backbones against counts derived here, layer by layer, from
 * wespeaker's sources (resnet.py, ecapa_tdnn.py, pooling_layers.py), and against wespeaker's quoted
 * totals. Counted as PyTorch's {@code sum(p.numel() for p in model.parameters())}.
 */
class SpeakerParameterCountTest extends EngineTest {

  // ---- per-layer counts, PyTorch semantics ----
  private static long conv2d(long in, long out, long kernel) {
    return in * out * kernel * kernel; // bias=False in resnet.py
  }

  private static long conv1d(long in, long out, long kernel) {
    return in * out * kernel
        + out; // bias=True (nn.Conv1d's default) in ecapa_tdnn.py and pooling_layers.py
  }

  private static long bn(long c) {
    return 2 * c; // weight + bias; running statistics are buffers
  }

  private static long linear(long in, long out) {
    return in * out + out;
  }

  // ---- resnet.py: ResNet(BasicBlock, blocks, m_channels=32, pooling_func='TSTP',
  // two_emb_layer=False) ----
  private static long basicBlock(long in, long planes, int stride) {
    long n = conv2d(in, planes, 3) + bn(planes) + conv2d(planes, planes, 3) + bn(planes);
    if (stride != 1 || in != planes) {
      n += conv2d(in, planes, 1) + bn(planes);
    }
    return n;
  }

  private static long resnet(int[] blocks, long featDim, long embedDim) {
    long m = 32;
    long n = conv2d(1, m, 3) + bn(m);
    long in = m;
    int[] strides = {1, 2, 2, 2};
    for (int s = 0; s < 4; s++) {
      long planes = m << s;
      for (int b = 0; b < blocks[s]; b++) {
        n += basicBlock(in, planes, b == 0 ? strides[s] : 1);
        in = planes;
      }
    }
    long statsDim = featDim / 8 * m * 8; // the source's int(feat_dim / 8) * m_channels * 8
    return n + linear(2 * statsDim, embedDim); // TSTP: mean and std
  }

  // ---- ecapa_tdnn.py: ECAPA_TDNN(channels, global_context_att=True, pooling_func='ASTP',
  // emb_bn=False) ----
  private static long conv1dReluBn(long in, long out, long kernel) {
    return conv1d(in, out, kernel) + bn(out);
  }

  private static long res2Conv1dReluBn(long channels, long kernel, long scale) {
    long width = channels / scale;
    return (scale - 1) * (conv1d(width, width, kernel) + bn(width));
  }

  private static long seConnect(long channels) {
    return linear(channels, 128) + linear(128, channels);
  }

  private static long seRes2Block(long channels) {
    return conv1dReluBn(channels, channels, 1)
        + res2Conv1dReluBn(channels, 3, 8)
        + conv1dReluBn(channels, channels, 1)
        + seConnect(channels);
  }

  private static long astp(long inDim, boolean globalContext) {
    return conv1d(globalContext ? 3 * inDim : inDim, 128, 1) + conv1d(128, inDim, 1);
  }

  private static long ecapa(long channels, long featDim, long embedDim) {
    long n = conv1dReluBn(featDim, channels, 5) + 3 * seRes2Block(channels);
    long outChannels = 512 * 3;
    n += conv1d(3 * channels, outChannels, 1);
    long pooled = 2 * outChannels;
    return n + astp(outChannels, true) + bn(pooled) + linear(pooled, embedDim);
  }

  // ---- the small network, from SmallSpeakerNet's Javadoc ----
  private static long small(long featDim, long embedDim) {
    return conv1dReluBn(featDim, 128, 5)
        + 2 * conv1dReluBn(128, 128, 3)
        + conv1dReluBn(128, 128, 1)
        + conv1dReluBn(128, 384, 1)
        + linear(2 * 384, embedDim);
  }

  private static long expected(String name, long featDim, long embedDim) {
    return switch (name) {
      case "resnet34" -> resnet(new int[] {3, 4, 6, 3}, featDim, embedDim);
      case "resnet18" -> resnet(new int[] {2, 2, 2, 2}, featDim, embedDim);
      case "ecapa512" -> ecapa(512, featDim, embedDim);
      case "ecapa1024" -> ecapa(1024, featDim, embedDim);
      case "small" -> small(featDim, embedDim);
      default -> throw new IllegalArgumentException(name);
    };
  }

  private long countOf(String name, int embedDim, int featDim) {
    Block block = SpeakerBackbones.create(name, embedDim, featDim);
    block.initialize(manager, DataType.FLOAT32, SpeakerBackbones.inputShape(2, 200, featDim));
    long count = Backbones.parameterCount(block);
    assertThat(Backbones.trainableParameterCount(block)).as(name + " trainable").isEqualTo(count);
    return count;
  }

  /** The exact counts (as in SpeakerBackbones' Javadoc and docs/models.md). */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "resnet34, 256, 6634336",
    "resnet18, 256, 4105440",
    "ecapa512, 192, 6190720",
    "ecapa1024, 192, 14657088",
    "small, 256, 414592"
  })
  void countMatchesTheSourceLayerByLayer(String name, int embedDim, long exact) {
    assertThat(expected(name, 80, embedDim)).as(name + " derived").isEqualTo(exact);
    assertThat(countOf(name, embedDim, 80)).as(name + " DJL block").isEqualTo(exact);
  }

  /**
   * wespeaker's quoted totals (examples/voxceleb/v2/README.md: ResNet34-TSTP-emb256 6.63 M,
   * ECAPA_TDNN_GLOB_c512-ASTP-emb192 6.19 M, ECAPA_TDNN_GLOB_c1024-ASTP-emb192 14.65 M, the model
   * script's {@code num_params / 1e6} cut to two decimals).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"resnet34, 256, 6.63", "ecapa512, 192, 6.19", "ecapa1024, 192, 14.65"})
  void countMatchesWespeakersQuotedTotal(String name, int embedDim, double quotedMillions) {
    double millions = expected(name, 80, embedDim) / 1e6;
    assertThat(Math.floor(millions * 100) / 100)
        .as(name + " in M, two decimals")
        .isCloseTo(quotedMillions, within(1e-9));
  }

  @Test
  void smallStaysUnderHalfAMillion() {
    assertThat(expected("small", 80, 256)).isLessThan(500_000);
    assertThat(expected("small", 80, 192)).isLessThan(500_000);
  }

  /** Other d and F: the Linear after pooling follows the pooled size (F/8 for the ResNets). */
  @ParameterizedTest(name = "{0}, d = {1}, F = {2}")
  @CsvSource({"resnet18, 128, 40", "ecapa512, 256, 64", "small, 192, 40"})
  void countFollowsEmbeddingAndFeatureDimension(String name, int embedDim, int featDim) {
    assertThat(countOf(name, embedDim, featDim)).isEqualTo(expected(name, featDim, embedDim));
  }
}
