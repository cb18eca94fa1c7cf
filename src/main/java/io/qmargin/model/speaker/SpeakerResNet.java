package io.qmargin.model.speaker;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;

/**
 * wespeaker's ResNet for speaker embeddings ({@code wespeaker/models/resnet.py}, {@code ResNet}
 * with {@code BasicBlock}, {@code m_channels=32}, {@code pooling_func='TSTP'}, {@code
 * two_emb_layer=False}): a thin ResNet over the log-mel spectrogram as a one-channel image.
 *
 * <ul>
 *   <li>Input (B, T, F) → (B, 1, F, T); conv3×3 (1 → 32, no bias), BN, ReLU.
 *   <li>Four stages of BasicBlocks at widths 32/64/128/256, strides 1/2/2/2 (in both frequency and
 *       time: F → F/8, T → T/8). A BasicBlock is conv3×3 (stride), BN, ReLU, conv3×3, BN, plus the
 *       input (through conv1×1 (stride) + BN when the shape changes), then ReLU.
 *   <li>{@link StatisticsPooling} over time of the 256·F/8 channel × frequency features → 2·256·F/8
 *       (5,120 at F = 80), then Linear(→ d).
 * </ul>
 *
 * ResNet34 (blocks [3, 4, 6, 3]) at F = 80, d = 256: 6,634,336 parameters (wespeaker quotes 6.63 M
 * for ResNet34-TSTP-emb256); ResNet18 ([2, 2, 2, 2]): 4,105,440. Conv weights and the Linear as
 * PyTorch's defaults (the source sets none). The source computes the pooled size as ⌊F/8⌋·256, so
 * it needs F divisible by 8; here the Linear takes whatever the stages give (⌈⌈⌈F/2⌉/2⌉/2⌉).
 */
public final class SpeakerResNet {
  private SpeakerResNet() {}

  /** The stage depths (BasicBlocks per stage) of wespeaker's BasicBlock ResNets. */
  public enum Depth {
    RESNET18(2, 2, 2, 2),
    RESNET34(3, 4, 6, 3);

    private final int[] blocksPerStage;

    Depth(int... blocksPerStage) {
      this.blocksPerStage = blocksPerStage;
    }

    public int[] blocksPerStage() {
      return blocksPerStage.clone();
    }
  }

  /** wespeaker's {@code m_channels}: the stem width; the stages are 1, 2, 4, 8 times it. */
  public static final int BASE_CHANNELS = 32;

  static final int[] STAGE_STRIDES = {1, 2, 2, 2};

  /** wespeaker's ResNet at {@link #BASE_CHANNELS} channels. */
  public static Block create(Depth depth, int embeddingDim, int featureDim) {
    return create(depth.blocksPerStage, BASE_CHANNELS, STAGE_STRIDES, embeddingDim, featureDim);
  }

  /**
   * The same architecture at any depth, base width and stage strides (the stem has stride 1, as
   * wespeaker's).
   */
  static Block create(
      int[] blocksPerStage,
      int baseChannels,
      int[] stageStrides,
      int embeddingDim,
      int featureDim) {
    SequentialBlock net =
        new SequentialBlock()
            .add(new FrameInput(FrameInput.Layout.IMAGE, featureDim))
            .add(SpeakerLayers.conv2d(1, baseChannels, 3, 1, 1))
            .add(SpeakerLayers.batchNorm())
            .add(Activation.reluBlock());
    int in = baseChannels;
    long freq = featureDim;
    for (int stage = 0; stage < blocksPerStage.length; stage++) {
      int width = baseChannels << stage;
      for (int b = 0; b < blocksPerStage[stage]; b++) {
        int stride = b == 0 ? stageStrides[stage] : 1;
        net.add(basicBlock(in, width, stride));
        in = width;
        freq = (freq + stride - 1) / stride; // conv3×3, padding 1: ⌈n / stride⌉
      }
    }
    long pooled = 2L * in * freq;
    return net.add(new StatisticsPooling()).add(SpeakerLayers.linear(pooled, embeddingDim));
  }

  /** BasicBlock: conv3×3 (stride), BN, ReLU, conv3×3, BN, + shortcut, ReLU. */
  static Block basicBlock(int in, int width, int stride) {
    SequentialBlock main =
        new SequentialBlock()
            .add(SpeakerLayers.conv2d(in, width, 3, stride, 1))
            .add(SpeakerLayers.batchNorm())
            .add(Activation.reluBlock())
            .add(SpeakerLayers.conv2d(width, width, 3, 1, 1))
            .add(SpeakerLayers.batchNorm());
    Block shortcut =
        stride != 1 || in != width
            ? new SequentialBlock()
                .add(SpeakerLayers.conv2d(in, width, 1, stride, 0))
                .add(SpeakerLayers.batchNorm())
            : Blocks.identityBlock();
    return new SequentialBlock()
        .add(SpeakerLayers.residual(main, shortcut))
        .add(Activation.reluBlock());
  }
}
