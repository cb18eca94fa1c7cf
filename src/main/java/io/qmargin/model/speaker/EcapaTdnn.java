package io.qmargin.model.speaker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * ECAPA-TDNN (Desplanques et al. 2020) as wespeaker builds it ({@code
 * wespeaker/models/ecapa_tdnn.py}, {@code ECAPA_TDNN_GLOB_c512} / {@code ECAPA_TDNN_GLOB_c1024}
 * with {@code pooling_func='ASTP'}, {@code emb_bn=False}). Every conv1d has a bias, and every
 * "ConvReluBn" applies ReLU before BN, as the source.
 *
 * <ul>
 *   <li>Input (B, T, F) → (B, F, T); conv1d k5 (F → C), ReLU, BN.
 *   <li>Three SE-Res2Blocks at C channels, kernel 3, dilations 2, 3, 4: x + SE(ConvReluBn 1×1 →
 *       {@link Res2Conv1d} (scale 8) → ConvReluBn 1×1)(x). SE: mean over time, Linear(C → 128),
 *       ReLU, Linear(128 → C), sigmoid, scales the channels.
 *   <li>Multi-layer feature aggregation: the three blocks' outputs concatenated (3·C) → conv1d 1×1
 *       to 1,536 channels, ReLU. (Current wespeaker maps to 512·3 = 1,536 for every C; an older
 *       version kept 3·C, which gives c1024 20.8 M parameters.)
 *   <li>{@link AttentiveStatisticsPooling} with global context (bottleneck 128) → 3,072; BN;
 *       Linear(→ d). wespeaker ends there ({@code emb_bn=False}, its default); {@code
 *       embeddingBatchNorm} adds its optional BN1d(d).
 * </ul>
 *
 * Parameters at F = 80, d = 192: C = 512, 6,190,720 (wespeaker quotes 6.19 M); C = 1024, 14,657,088
 * (quoted 14.65 M, the print truncated). Weights as PyTorch's defaults (the source sets none).
 * Every layer keeps the length T, so any T ≥ 2 works.
 */
public final class EcapaTdnn extends AbstractBlock {
  private static final byte VERSION = 1;

  /** Res2Net scale of the SE-Res2Blocks. */
  public static final int RES2_SCALE = 8;

  /** Dilations of the three SE-Res2Blocks (kernel 3). */
  static final int[] DILATIONS = {2, 3, 4};

  /** Hidden size of the squeeze-excitation. */
  public static final int SE_BOTTLENECK = 128;

  /** Output channels of the aggregation conv (wespeaker: 512·3 for every C). */
  public static final int AGGREGATION_CHANNELS = 512 * 3;

  private final int channels;
  private final int featureDim;
  private final int embeddingDim;
  private final Block input;
  private final Block layer1;
  private final List<Block> blocks;
  private final Block aggregation;
  private final AttentiveStatisticsPooling pooling;
  private final Block head;

  /**
   * @param channels C: 512 or 1024 in wespeaker (any multiple of 8)
   * @param embeddingDim d (192 in wespeaker)
   * @param featureDim F, the mel bins (80)
   * @param embeddingBatchNorm wespeaker's {@code emb_bn}: BN1d(d) after the final Linear
   */
  public EcapaTdnn(int channels, int embeddingDim, int featureDim, boolean embeddingBatchNorm) {
    super(VERSION);
    this.channels = channels;
    this.featureDim = featureDim;
    this.embeddingDim = embeddingDim;
    input = addChildBlock("input", new FrameInput(FrameInput.Layout.CHANNELS, featureDim));
    layer1 = addChildBlock("layer1", SpeakerLayers.conv1dReluBn(featureDim, channels, 5, 1));
    blocks =
        List.of(
            addChildBlock("layer2", seRes2Block(channels, DILATIONS[0])),
            addChildBlock("layer3", seRes2Block(channels, DILATIONS[1])),
            addChildBlock("layer4", seRes2Block(channels, DILATIONS[2])));
    aggregation =
        addChildBlock(
            "aggregation",
            new SequentialBlock()
                .add(SpeakerLayers.conv1d(3 * channels, AGGREGATION_CHANNELS, 1, 1, 0))
                .add(Activation.reluBlock()));
    pooling =
        addChildBlock(
            "pooling",
            new AttentiveStatisticsPooling(
                AGGREGATION_CHANNELS, AttentiveStatisticsPooling.DEFAULT_BOTTLENECK, true));
    SequentialBlock out =
        new SequentialBlock()
            .add(SpeakerLayers.batchNorm())
            .add(SpeakerLayers.linear(2L * AGGREGATION_CHANNELS, embeddingDim));
    if (embeddingBatchNorm) {
      out.add(SpeakerLayers.batchNorm());
    }
    head = addChildBlock("head", out);
  }

  /** SE-Res2Block: x + SE(ConvReluBn 1×1 → Res2Conv1d → ConvReluBn 1×1)(x). */
  static Block seRes2Block(int channels, int dilation) {
    Block main =
        new SequentialBlock()
            .add(SpeakerLayers.conv1dReluBn(channels, channels, 1, 1))
            .add(new Res2Conv1d(channels, 3, dilation, RES2_SCALE))
            .add(SpeakerLayers.conv1dReluBn(channels, channels, 1, 1))
            .add(squeezeExcitation(channels, SE_BOTTLENECK));
    return SpeakerLayers.residual(main, Blocks.identityBlock());
  }

  /** wespeaker's SE_Connect: x · sigmoid(Linear(ReLU(Linear(mean_t x)))), one gate per channel. */
  static Block squeezeExcitation(int channels, int bottleneck) {
    Block gate =
        new SequentialBlock()
            .add(x -> new NDList(x.singletonOrThrow().mean(new int[] {2})))
            .add(SpeakerLayers.linear(channels, bottleneck))
            .add(Activation.reluBlock())
            .add(SpeakerLayers.linear(bottleneck, channels))
            .add(Activation.sigmoidBlock());
    return new ParallelBlock(
        branches ->
            new NDList(
                branches
                    .get(0)
                    .singletonOrThrow()
                    .mul(branches.get(1).singletonOrThrow().expandDims(2))),
        List.of(Blocks.identityBlock(), gate));
  }

  public int channels() {
    return channels;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDList x = input.forward(parameterStore, inputs, training, params);
    x = layer1.forward(parameterStore, x, training, params);
    NDList levels = new NDList(blocks.size());
    for (Block block : blocks) {
      x = block.forward(parameterStore, x, training, params);
      levels.add(x.singletonOrThrow());
    }
    NDArray cat = NDArrays.concat(levels, 1);
    NDList y = aggregation.forward(parameterStore, new NDList(cat), training, params);
    y = pooling.forward(parameterStore, y, training, params);
    return head.forward(parameterStore, y, training, params);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] shapes = inputShapes;
    input.initialize(manager, dataType, shapes);
    shapes = input.getOutputShapes(shapes);
    layer1.initialize(manager, dataType, shapes);
    shapes = layer1.getOutputShapes(shapes);
    for (Block block : blocks) {
      block.initialize(manager, dataType, shapes);
      shapes = block.getOutputShapes(shapes);
    }
    Shape frames = shapes[0];
    shapes = new Shape[] {new Shape(frames.get(0), 3L * channels, frames.get(2))};
    aggregation.initialize(manager, dataType, shapes);
    shapes = aggregation.getOutputShapes(shapes);
    pooling.initialize(manager, dataType, shapes);
    shapes = pooling.getOutputShapes(shapes);
    head.initialize(manager, dataType, shapes);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), embeddingDim)};
  }

  @Override
  public String toString() {
    return "EcapaTdnn(C = " + channels + ", F = " + featureDim + ", d = " + embeddingDim + ")";
  }
}
