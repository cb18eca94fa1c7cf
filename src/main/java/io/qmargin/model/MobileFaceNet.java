package io.qmargin.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;

/**
 * MobileFaceNet (Chen et al. 2018) as insightface's {@code get_mbf} builds it in {@code
 * recognition/arcface_torch/backbones/mobilefacenet.py} (adapted there from cavaface): width scale
 * 2, blocks (1, 4, 6, 2), a 512-channel 1×1 conv and the GDC output (depthwise 7×7 linear conv, FC
 * without bias, BN1d). About 2.06 M parameters at d = 512, twice the paper's width.
 *
 * <p>Layers, for a 112 × 112 input: ConvBlock 3×3 s2 (3 → 128) → 56²; ConvBlock 3×3 groups 64 (128
 * → 128); DepthWise s2 (128 → 128, inner 128) → 28²; 4 residual DepthWise (128, inner 128);
 * DepthWise s2 (128 → 256, inner 256) → 14²; 6 residual DepthWise (256, inner 256); DepthWise s2
 * (256 → 256, inner 512) → 7²; 2 residual DepthWise (256, inner 256); ConvBlock 1×1 (256 → 512);
 * GDC. A ConvBlock is conv (no bias), BN, PReLU; a LinearBlock is conv, BN; a DepthWise is
 * ConvBlock 1×1 (in → inner), ConvBlock k×k depthwise (inner, stride), LinearBlock 1×1 (inner →
 * out). Initialisation as the source: conv and FC weights Kaiming normal (fan-out, gain √2).
 *
 * <p>The helpers take the input channels as the source's modules do, so the two read alike; DJL
 * infers them from the input. The source has no dropout; {@code dropout > 0} inserts one before the
 * FC (a qmargin choice).
 */
public final class MobileFaceNet {
  private MobileFaceNet() {}

  static final int SCALE = 2;
  static final int[] RESIDUAL_BLOCKS = {1, 4, 6, 2};
  static final int SEPARABLE_WIDTH = 512;

  public static Block create(int embeddingDim, float dropout) {
    // kaiming_normal_(mode='fan_out', nonlinearity='relu'): N(0, 2 / fanOut).
    Initializer kaiming =
        new XavierInitializer(
            XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f);
    int c1 = 64 * SCALE;
    int c2 = 128 * SCALE;
    SequentialBlock net =
        new SequentialBlock()
            .add(convBlock(3, c1, 3, 2, 1, 1, kaiming))
            // The source's first stage has one block: a grouped (64 groups) 3×3 ConvBlock.
            .add(convBlock(c1, c1, 3, 1, 1, 64, kaiming))
            .add(depthWise(c1, c1, 128, 2, false, kaiming));
    addResiduals(net, c1, 128, RESIDUAL_BLOCKS[1], kaiming);
    net.add(depthWise(c1, c2, 256, 2, false, kaiming));
    addResiduals(net, c2, 256, RESIDUAL_BLOCKS[2], kaiming);
    net.add(depthWise(c2, c2, 512, 2, false, kaiming));
    addResiduals(net, c2, 256, RESIDUAL_BLOCKS[3], kaiming);
    net.add(convBlock(c2, SEPARABLE_WIDTH, 1, 1, 0, 1, kaiming));
    // GDC: global depthwise 7×7 linear conv, flatten, FC (no bias), BN1d.
    net.add(linearBlock(SEPARABLE_WIDTH, SEPARABLE_WIDTH, 7, 1, 0, SEPARABLE_WIDTH, kaiming))
        .add(Blocks.batchFlattenBlock());
    if (dropout > 0) {
      net.add(Dropout.builder().optRate(dropout).build());
    }
    Linear fc = Linear.builder().setUnits(embeddingDim).optBias(false).build();
    fc.setInitializer(kaiming, Parameter.Type.WEIGHT);
    return net.add(fc).add(Layers.batchNorm());
  }

  private static void addResiduals(
      SequentialBlock net, int channels, int inner, int count, Initializer init) {
    for (int i = 0; i < count; i++) {
      net.add(depthWise(channels, channels, inner, 1, true, init));
    }
  }

  /** Conv (no bias), BN, PReLU. */
  static Block convBlock(
      int in, int out, int kernel, int stride, int padding, int groups, Initializer init) {
    return new SequentialBlock()
        .add(Layers.conv(out, kernel, stride, padding, groups, init))
        .add(Layers.batchNorm())
        .add(new ChannelPrelu(out));
  }

  /** Conv (no bias), BN: no activation. */
  static Block linearBlock(
      int in, int out, int kernel, int stride, int padding, int groups, Initializer init) {
    return new SequentialBlock()
        .add(Layers.conv(out, kernel, stride, padding, groups, init))
        .add(Layers.batchNorm());
  }

  /**
   * Expand 1×1 to {@code inner}, depthwise 3×3 (stride), project 1×1 to {@code out}; + x if
   * residual.
   */
  static Block depthWise(
      int in, int out, int inner, int stride, boolean residual, Initializer init) {
    Block main =
        new SequentialBlock()
            .add(convBlock(in, inner, 1, 1, 0, 1, init))
            .add(convBlock(inner, inner, 3, stride, 1, inner, init))
            .add(linearBlock(inner, out, 1, 1, 0, 1, init));
    return residual ? Layers.residual(main, Blocks.identityBlock()) : main;
  }
}
