package io.qmargin.model.speaker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The Res2Net convolution of ECAPA-TDNN, as wespeaker's {@code Res2Conv1dReluBn}: the C channels
 * are split into {@code scale} groups of w = C/scale; group 0 goes through conv1d(w → w, k,
 * dilation) → ReLU → BN, and each group i = 1 … scale − 2 through the same kind of layer after
 * adding the previous group's output; the last group passes unchanged. The outputs are concatenated
 * back to C channels. scale − 1 layers, so hierarchical receptive fields within one block at
 * 1/scale of a full conv's weights. Input and output (B, C, T) (padding = dilation·(k − 1)/2 keeps
 * T).
 */
public final class Res2Conv1d extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int channels;
  private final int scale;
  private final List<Block> layers = new ArrayList<>();

  public Res2Conv1d(int channels, int kernel, int dilation, int scale) {
    super(VERSION);
    if (scale < 2 || channels % scale != 0) {
      throw new IllegalArgumentException(
          "channels " + channels + " must split into scale " + scale + " ≥ 2 groups");
    }
    this.channels = channels;
    this.scale = scale;
    int width = channels / scale;
    for (int i = 0; i < scale - 1; i++) {
      layers.add(
          addChildBlock("group" + i, SpeakerLayers.conv1dReluBn(width, width, kernel, dilation)));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDList groups = inputs.singletonOrThrow().split(scale, 1);
    NDList out = new NDList(scale);
    NDArray sp = null;
    for (int i = 0; i < layers.size(); i++) {
      sp = i == 0 ? groups.get(0) : sp.add(groups.get(i));
      sp =
          layers
              .get(i)
              .forward(parameterStore, new NDList(sp), training, params)
              .singletonOrThrow();
      out.add(sp);
    }
    out.add(groups.get(scale - 1));
    return new NDList(NDArrays.concat(out, 1));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    Shape group = new Shape(in.get(0), channels / scale, in.get(2));
    for (Block layer : layers) {
      layer.initialize(manager, dataType, group);
    }
  }

  /** Checks the input shape at every initialisation ({@code prepare} runs only at the first). */
  @Override
  protected void beforeInitialize(Shape... inputShapes) {
    super.beforeInitialize(inputShapes);
    Shape in = inputShapes[0];
    if (in.dimension() != 3 || in.get(1) != channels) {
      throw new IllegalArgumentException(
          "Res2Conv1d(" + channels + ") expects (B, " + channels + ", T), got " + in);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public String toString() {
    return "Res2Conv1d(" + channels + ", scale " + scale + ")";
  }
}
