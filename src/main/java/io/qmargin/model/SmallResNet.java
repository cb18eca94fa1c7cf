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
 * A small residual network for CPU runs (qmargin's own, not a published architecture):
 * insightface's IResNet blocks at half the width, one block per stage, with MobileFaceNet's GDC
 * output instead of IResNet's 25,088-input FC (which alone would hold 6.4 M parameters at width
 * 256).
 *
 * <p>Stem conv3×3 stride 2 (3 → 32), BN, PReLU → 56²; one {@link IResNet#basicBlock IBasicBlock}
 * per stage at widths 32/64/128/256 with strides 2/2/2/1 → 28², 14², 7², 7²; BN2d(256); depthwise
 * 7×7 linear conv + BN (GDC); flatten; dropout; FC(256 → d, no bias); BN1d(d). 1,374,176 parameters
 * at d = 512 and 0.13 G multiply-adds per 112 × 112 image (IResNet-50: 43.6 M and 6.3 G).
 * Downsampling early (like MobileFaceNet) is what makes it fast: the first 56² stage of a stride-1
 * variant made a training step several times slower for the same parameters. Conv and FC weights
 * Kaiming normal (fan-out).
 */
public final class SmallResNet {
  private SmallResNet() {}

  static final int STEM_WIDTH = 32;
  static final int[] STAGE_WIDTHS = {32, 64, 128, 256};
  static final int[] STAGE_STRIDES = {2, 2, 2, 1};

  static int finalSide(int imageSide) {
    if (imageSide == Backbones.IMAGE_SIDE) {
      return IResNet.FINAL_SIDE;
    }
    if (imageSide < 32 || imageSide % 16 != 0) {
      throw new io.qmargin.UserInputException(
          "the small backbone takes 112 or a multiple of 16 (>= 32) as image size, got "
              + imageSide);
    }
    return imageSide / 16;
  }

  public static Block create(int embeddingDim, float dropout) {
    return create(embeddingDim, dropout, Backbones.IMAGE_SIDE);
  }

  /**
   * The network for square inputs of {@code imageSide} pixels, a multiple of 16 (or 112): the GDC
   * kernel covers the final feature map, imageSide / 16 pixels wide. Smaller inputs make CPU runs
   * (the demo) several times faster; the parameter count changes only through the GDC kernel.
   */
  public static Block create(int embeddingDim, float dropout, int imageSide) {
    int finalSide = finalSide(imageSide);
    Initializer kaiming =
        new XavierInitializer(
            XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f);
    SequentialBlock net =
        new SequentialBlock()
            .add(Layers.conv(STEM_WIDTH, 3, 2, 1, 1, kaiming))
            .add(Layers.batchNorm())
            .add(new ChannelPrelu(STEM_WIDTH));
    int in = STEM_WIDTH;
    for (int stage = 0; stage < STAGE_WIDTHS.length; stage++) {
      net.add(IResNet.basicBlock(in, STAGE_WIDTHS[stage], STAGE_STRIDES[stage], kaiming));
      in = STAGE_WIDTHS[stage];
    }
    // No bias: the BN1d that follows has one.
    Linear fc = Linear.builder().setUnits(embeddingDim).optBias(false).build();
    fc.setInitializer(kaiming, Parameter.Type.WEIGHT);
    return net.add(Layers.batchNorm())
        .add(Layers.conv(in, finalSide, 1, 0, in, kaiming))
        .add(Layers.batchNorm())
        .add(Blocks.batchFlattenBlock())
        .add(Dropout.builder().optRate(dropout).build())
        .add(fc)
        .add(Layers.batchNorm());
  }
}
