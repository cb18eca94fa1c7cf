package io.qmargin.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * insightface's improved ResNet (IResNet) for 112 × 112 faces, as in {@code
 * recognition/arcface_torch/backbones/iresnet.py} of deepinsight/insightface (ArcFace, Deng et al.
 * 2019).
 *
 * <ul>
 *   <li>Stem: conv3×3(3 → 64, stride 1, no bias), BN, PReLU(64).
 *   <li>Four stages of {@link #basicBlock IBasicBlock}s, widths 64/128/256/512, stride 2 in the
 *       first block of each stage (112 → 56 → 28 → 14 → 7).
 *   <li>Output layer: BN2d(512), flatten, dropout, FC(512·7·7 → d), BN1d(d) with its scale fixed at
 *       1 (insightface's {@code features}).
 * </ul>
 *
 * Initialisation as the source: conv weights N(0, 0.1²), BN γ = 1 and β = 0, PReLU slopes 0.25, FC
 * as PyTorch's default. The 7 × 7 flatten ties the network to 112 × 112 inputs.
 */
public final class IResNet {
  private IResNet() {}

  /** The stage depths (IBasicBlocks per stage) of the published variants. */
  public enum Depth {
    R18(2, 2, 2, 2),
    R34(3, 4, 6, 3),
    R50(3, 4, 14, 3),
    R100(3, 13, 30, 3);

    private final int[] blocksPerStage;

    Depth(int... blocksPerStage) {
      this.blocksPerStage = blocksPerStage;
    }

    public int[] blocksPerStage() {
      return blocksPerStage.clone();
    }
  }

  static final int STEM_WIDTH = 64;
  static final int[] STAGE_WIDTHS = {64, 128, 256, 512};

  /** Spatial side of the last stage's output for a 112 × 112 input. */
  static final int FINAL_SIDE = 7;

  /** insightface draws every conv weight from N(0, 0.1²). */
  private static final float CONV_WEIGHT_STD = 0.1f;

  public static Block create(Depth depth, int embeddingDim, float dropout) {
    Initializer convInit = new NormalInitializer(CONV_WEIGHT_STD);
    SequentialBlock net =
        new SequentialBlock()
            .add(Layers.conv(STEM_WIDTH, 3, 1, 1, 1, convInit))
            .add(Layers.batchNorm())
            .add(new ChannelPrelu(STEM_WIDTH));
    int in = STEM_WIDTH;
    int[] blocks = depth.blocksPerStage;
    for (int stage = 0; stage < STAGE_WIDTHS.length; stage++) {
      int width = STAGE_WIDTHS[stage];
      for (int b = 0; b < blocks[stage]; b++) {
        net.add(basicBlock(in, width, b == 0 ? 2 : 1, convInit));
        in = width;
      }
    }
    int last = STAGE_WIDTHS[STAGE_WIDTHS.length - 1];
    long flat = (long) last * FINAL_SIDE * FINAL_SIDE;
    return net.add(Layers.batchNorm())
        .add(Blocks.batchFlattenBlock())
        .add(Dropout.builder().optRate(dropout).build())
        .add(Layers.linearTorchDefault(embeddingDim, flat))
        .add(Layers.batchNormFixedScale());
  }

  /**
   * IBasicBlock: BN, conv3×3(in → width), BN, PReLU(width), conv3×3(width → width, stride), BN,
   * plus the input, through conv1×1(stride) + BN when the shape changes. The stride sits on the
   * second conv, as in the source.
   */
  static Block basicBlock(int in, int width, int stride, Initializer convInit) {
    SequentialBlock main =
        new SequentialBlock()
            .add(Layers.batchNorm())
            .add(Layers.conv(width, 3, 1, 1, 1, convInit))
            .add(Layers.batchNorm())
            .add(new ChannelPrelu(width))
            .add(Layers.conv(width, 3, stride, 1, 1, convInit))
            .add(Layers.batchNorm());
    Block shortcut =
        stride != 1 || in != width
            ? new SequentialBlock()
                .add(Layers.conv(width, 1, stride, 0, 1, convInit))
                .add(Layers.batchNorm())
            : Blocks.identityBlock();
    return Layers.residual(main, shortcut);
  }
}
