package io.qmargin.model.speaker;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;

/**
 * A small speaker network for CPU runs (qmargin's own, not a published model): the x-vector TDNN
 * layout (Snyder et al. 2018; wespeaker's {@code XVEC} in {@code wespeaker/models/tdnn.py}) at a
 * quarter of its width, with one embedding layer and a stride of 2 in its first layer.
 *
 * <ul>
 *   <li>Input (B, T, F) → (B, F, T).
 *   <li>Five frame layers, each conv1d → ReLU → BN (the source's order): kernel 5 stride 2 (F →
 *       128; T → ⌈T/2⌉), kernel 3 dilation 2 (128 → 128), kernel 3 dilation 3 (128 → 128), 1×1 (128
 *       → 128), 1×1 (128 → 384). Unlike the source, the convs are padded (no frames lost at the
 *       edges) and the BNs are affine.
 *   <li>{@link StatisticsPooling} over the ⌈T/2⌉ frames → 768; Linear(→ d).
 * </ul>
 *
 * 414,592 parameters at F = 80, d = 256 (wespeaker's XVEC, 512/1,500 wide: 4.61 M) and about 22 M
 * multiply-adds per 200-frame crop (ResNet34: 4.5 G). Needs T ≥ 3 (2 frames after the stride).
 *
 * <p>Why this shape, measured on the 2-core machine: the stride (20 ms frames after the first
 * layer, so the dilated layers see 25 input frames, 0.25 s) made a B = 32, T = 200 training step
 * about 4 times faster than stride 1, for the same parameters, more than the halved arithmetic:
 * these layers are limited by memory traffic on (B, 128, T) activations, not by multiply-adds. A
 * thin 2-D ResNet (16 base channels, one block per stage) was not chosen: its first stage runs at
 * the full 80 × 200 resolution and costs about 0.25 G multiply-adds per crop.
 */
public final class SmallSpeakerNet {
  private SmallSpeakerNet() {}

  /** Width of the first four frame layers. */
  public static final int HIDDEN_CHANNELS = 128;

  /** Width of the last frame layer, whose mean and std are pooled. */
  public static final int STATS_CHANNELS = 384;

  /** Time stride of the first layer. */
  public static final int FIRST_STRIDE = 2;

  public static Block create(int embeddingDim, int featureDim) {
    return new SequentialBlock()
        .add(new FrameInput(FrameInput.Layout.CHANNELS, featureDim))
        .add(SpeakerLayers.conv1dReluBn(featureDim, HIDDEN_CHANNELS, 5, FIRST_STRIDE, 1))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, HIDDEN_CHANNELS, 3, 2))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, HIDDEN_CHANNELS, 3, 3))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, HIDDEN_CHANNELS, 1, 1))
        .add(SpeakerLayers.conv1dReluBn(HIDDEN_CHANNELS, STATS_CHANNELS, 1, 1))
        .add(new StatisticsPooling())
        .add(SpeakerLayers.linear(2L * STATS_CHANNELS, embeddingDim));
  }
}
