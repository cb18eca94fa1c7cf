package io.qmargin.model.speaker;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;

/**
 * A small speaker network for CPU runs (qmargin's own, not a published model): the x-vector TDNN
 * layout (Snyder et al. 2018; wespeaker's {@code XVEC} in {@code wespeaker/models/tdnn.py}) at a
 * quarter of its width, with one embedding layer.
 *
 * <ul>
 *   <li>Input (B, T, F) → (B, F, T).
 *   <li>Five frame layers, each conv1d → ReLU → BN (the source's order): kernel 5 (F → 128), kernel 3
 *       dilation 2 (128 → 128), kernel 3 dilation 3 (128 → 128), 1×1 (128 → 128), 1×1 (128 → 384).
 *       Frame context 15 frames, as the x-vector's. Unlike the source, the convs are padded so T is
 *       kept, and the BNs are affine.
 *   <li>{@link StatisticsPooling} → 768; Linear(→ d).
 * </ul>
 *
 * 414,592 parameters at F = 80, d = 256 (wespeaker's XVEC at 512/1,500 wide: 4.61 M), and about 43
 * M multiply-adds per 200-frame crop (ResNet34: 4.5 G). A 1-D TDNN rather than a thin 2-D ResNet:
 * on CPU a 2-D ResNet with 16 base channels still costs about 0.25 G multiply-adds per 2 s crop
 * (its first stage runs at full 80 × 200 resolution) in small, poorly vectorised convolutions.
 */
public final class SmallSpeakerNet {
  private SmallSpeakerNet() {}

  /** Width of the first four frame layers. */
  public static final int HIDDEN_CHANNELS = 128;
  /** Width of the last frame layer, whose mean and std are pooled. */
  public static final int STATS_CHANNELS = 384;

  public static Block create(int embeddingDim, int featureDim) {
    return new SequentialBlock()
        .add(new FrameInput(FrameInput.Layout.CHANNELS, featureDim))
        .add(SpeakerLayers.conv1dReluBn(featureDim, HIDDEN_CHANNELS, 5, 1))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, HIDDEN_CHANNELS, 3, 2))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, HIDDEN_CHANNELS, 3, 3))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, HIDDEN_CHANNELS, 1, 1))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, STATS_CHANNELS, 1, 1))
        .add(new StatisticsPooling())
        .add(SpeakerLayers.linear(2L * STATS_CHANNELS, embeddingDim));
  }
}
