package io.qmargin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter counts of the DJL backbones against counts derived here, layer by layer, from the
 * insightface sources (iresnet.py, mobilefacenet.py) and against the commonly quoted totals.
 * Counted as PyTorch's {@code sum(p.numel() for p in model.parameters())}.
 */
class BackboneParameterCountTest {

  // ---- per-layer counts, PyTorch semantics ----
  private static long conv(long in, long out, long kernel, long groups) {
    return in / groups * out * kernel * kernel; // bias=False everywhere in these sources
  }

  private static long bn(long c) {
    return 2 * c; // weight + bias; running stats are buffers
  }

  private static long prelu(long c) {
    return c;
  }

  private static long linear(long in, long out, boolean bias) {
    return in * out + (bias ? out : 0);
  }

  // ---- iresnet.py ----
  private static long iBasicBlock(long in, long planes, int stride) {
    long n =
        bn(in)
            + conv(in, planes, 3, 1)
            + bn(planes)
            + prelu(planes)
            + conv(planes, planes, 3, 1)
            + bn(planes);
    if (stride != 1 || in != planes) {
      n += conv(in, planes, 1, 1) + bn(planes);
    }
    return n;
  }

  private static long iresnet(int[] layers, long features) {
    long n = conv(3, 64, 3, 1) + bn(64) + prelu(64);
    long in = 64;
    long[] planes = {64, 128, 256, 512};
    for (int s = 0; s < 4; s++) {
      for (int b = 0; b < layers[s]; b++) {
        n += iBasicBlock(in, planes[s], b == 0 ? 2 : 1);
        in = planes[s];
      }
    }
    return n + bn(512) + linear(512L * 7 * 7, features, true) + bn(features);
  }

  // ---- mobilefacenet.py (get_mbf: scale 2, blocks (1, 4, 6, 2)) ----
  private static long convBlock(long in, long out, long kernel, long groups) {
    return conv(in, out, kernel, groups) + bn(out) + prelu(out);
  }

  private static long linearBlock(long in, long out, long kernel, long groups) {
    return conv(in, out, kernel, groups) + bn(out);
  }

  private static long depthWise(long in, long out, long groups) {
    return convBlock(in, groups, 1, 1)
        + convBlock(groups, groups, 3, groups)
        + linearBlock(groups, out, 1, 1);
  }

  private static long mobileFaceNet(long features) {
    long n = convBlock(3, 128, 3, 1) + convBlock(128, 128, 3, 64);
    n += depthWise(128, 128, 128) + 4 * depthWise(128, 128, 128);
    n += depthWise(128, 256, 256) + 6 * depthWise(256, 256, 256);
    n += depthWise(256, 256, 512) + 2 * depthWise(256, 256, 256);
    n += convBlock(256, 512, 1, 1);
    return n + linearBlock(512, 512, 7, 512) + linear(512, features, false) + bn(features);
  }

  // ---- the small network, from its description in SmallResNet's Javadoc ----
  private static long small(long features) {
    long n = conv(3, 32, 3, 1) + bn(32) + prelu(32);
    n +=
        iBasicBlock(32, 32, 2)
            + iBasicBlock(32, 64, 2)
            + iBasicBlock(64, 128, 2)
            + iBasicBlock(128, 256, 1);
    return n
        + bn(256)
        + linearBlock(256, 256, 7, 256)
        + linear(256, features, false)
        + bn(features);
  }

  private static long expected(String name, long features) {
    return switch (name) {
      case "iresnet18" -> iresnet(new int[] {2, 2, 2, 2}, features);
      case "iresnet34" -> iresnet(new int[] {3, 4, 6, 3}, features);
      case "iresnet50" -> iresnet(new int[] {3, 4, 14, 3}, features);
      case "iresnet100" -> iresnet(new int[] {3, 13, 30, 3}, features);
      case "mobilefacenet" -> mobileFaceNet(features);
      case "small" -> small(features);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * Published/commonly quoted totals in millions (insightface model zoo and papers' tables for the
   * IResNets; insightface's mbf at d = 512 is about 2.06 M, twice the paper's sub-1 M width).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "iresnet18, 24.0, 0.05",
    "iresnet34, 34.1, 0.05",
    "iresnet50, 43.6, 0.05",
    "iresnet100, 65.2, 0.05",
    "mobilefacenet, 2.06, 0.01",
    "small, 1.4, 0.1"
  })
  void countMatchesTheSourceAndThePublishedTotal(
      String name, double publishedMillions, double toleranceMillions) {
    long expected = expected(name, 512);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = Backbones.create(name, 512, 0f);
      block.initialize(manager, DataType.FLOAT32, Backbones.inputShape(2));
      assertThat(Backbones.parameterCount(block)).as(name).isEqualTo(expected);
      long fixedScale = name.startsWith("iresnet") ? 512 : 0;
      assertThat(Backbones.trainableParameterCount(block))
          .as(name + " trainable")
          .isEqualTo(expected - fixedScale);
    }
    assertThat(expected / 1e6)
        .as(name + " vs published")
        .isCloseTo(publishedMillions, within(toleranceMillions));
  }

  @ParameterizedTest(name = "{0}, d = {1}")
  @CsvSource({"iresnet18, 128", "mobilefacenet, 256", "small, 64"})
  void countFollowsTheEmbeddingDimension(String name, int dim) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = Backbones.create(name, dim, 0f);
      block.initialize(manager, DataType.FLOAT32, Backbones.inputShape(2));
      assertThat(Backbones.parameterCount(block)).isEqualTo(expected(name, dim));
    }
  }
}
